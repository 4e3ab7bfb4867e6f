//! The command line's spelling of the library's format choices. The library's enums carry no
//! clap derive, so embedders do not inherit the command line's dependencies; each flag here
//! maps one to one onto its library twin.

/// Declares a flag enum and its conversion into the library's enum of the same variants.
macro_rules! flag_enum {
    ($(#[$doc:meta])* $name:ident => $library:path { $($(#[$variant_doc:meta])* $variant:ident,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
        pub(crate) enum $name {
            $($(#[$variant_doc])* $variant,)*
        }

        impl From<$name> for $library {
            fn from(flag: $name) -> $library {
                match flag {
                    $($name::$variant => <$library>::$variant,)*
                }
            }
        }
    };
}

flag_enum! {
    /// A portfolio file format.
    InputFormat => arrears::InputFormat {
        /// One JSON object a line.
        Jsonl,
        /// A header row, then one loan a row; list fields hold a JSON array in their cell.
        Csv,
        /// A list of objects.
        Yaml,
        /// Apache Parquet: one loan a row; list fields as `list<struct>`.
        Parquet,
        /// Apache Arrow IPC (a `.arrow` / Feather 2 file, or a stream).
        Arrow,
    }
}

flag_enum! {
    /// The format of decision records.
    OutputFormat => arrears::OutputFormat {
        /// One JSON object a line.
        Jsonl,
        /// A header, then one row a loan.
        Csv,
        /// Apache Parquet: one row a loan, typed columns (outcomes, action lists, deadlines as dates).
        Parquet,
    }
}

flag_enum! {
    /// How a book's loans of one borrower are found.
    BorrowerOrder => arrears::BorrowerOrder {
        /// Each borrower's loans lie next to each other (sorted by borrower): one pass.
        Sorted,
        /// Anywhere: spilled to a temporary folder by borrower, and the book read twice.
        Unsorted,
    }
}

flag_enum! {
    /// How diagnostics are written.
    ErrorFormat => arrears::ErrorFormat {
        /// Underlined source with colour when the terminal supports it.
        Human,
        /// The same without colour, at a fixed width of 100 columns.
        Plain,
        /// One JSON object a line.
        Json,
        /// GitHub Actions workflow commands (`::error file=…`).
        Github,
    }
}

flag_enum! {
    /// A language arrears speaks.
    LangFlag => arrears::Lang {
        /// English.
        En,
        /// Simplified Chinese (简体中文).
        Zh,
    }
}
