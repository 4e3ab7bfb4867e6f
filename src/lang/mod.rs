//! The languages arrears speaks to people, and the one catalogue of what it says.
//!
//! Every sentence a person reads (explanations, reports, test results, impact tables) is a
//! message in a Project Fluent catalogue, `en.ftl` and `zh.ftl` beside this file, embedded in
//! the binary. Fluent rather than a key-value format because its messages carry named
//! parameters and plural rules (`{ $count -> [one] 1 loan *[other] { $count } loans }`), which
//! English needs and Chinese does not, without code knowing either grammar. Machine formats
//! (JSON, JUnit, decision records) keep their English keys in every language.
//!
//! The Chinese uses one term for one thing, fixed in `GLOSSARY.md` beside the catalogue.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language arrears speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

/// The English catalogue, as written.
pub(crate) const ENGLISH: &str = include_str!("en.ftl");
/// The Chinese catalogue, as written.
pub(crate) const CHINESE: &str = include_str!("zh.ftl");

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language a tag names: `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en_GB` …; `None` for any
    /// other (and for `C` and `POSIX`, which name no language).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let language = tag.split(['-', '_', '.', '@']).next().unwrap_or("");
        match language {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the environment asks for: the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
    /// that is set and not empty, as POSIX orders them; `None` when that names no language
    /// arrears speaks (`C.UTF-8`, say) or none is set.
    pub fn from_env() -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .and_then(|value| Lang::from_tag(&value))
    }

    /// The language a policy or schema text is written in, by its names: Chinese when a Chinese
    /// character stands in its code (not only in comments or quoted labels), English otherwise.
    /// For diagnostics about a policy that did not load, which has no names to ask.
    pub fn of_source(text: &str) -> Lang {
        let han = |c: char| {
            ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
        };
        let chinese = text.lines().any(|line| {
            let code = line.split_once('#').map_or(line, |(code, _)| code);
            // Outside quotes: every other piece between `"`s.
            code.split('"')
                .step_by(2)
                .any(|piece| piece.chars().any(han))
        });
        if chinese { Lang::Zh } else { Lang::En }
    }

    /// The tag of this language: `en`, `zh`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The message `id` of the catalogue, with `args` in its placeables. A message missing
    /// from the catalogue shows as its id (the catalogue test keeps that from happening).
    pub fn text(self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let bundle = bundle(self);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.to_fluent(self));
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

/// One parameter of a message.
#[derive(Clone, Debug)]
pub enum Arg<'a> {
    /// Text, put in as it is.
    Text(Cow<'a, str>),
    /// A whole number, which chooses plural forms.
    Number(i64),
    /// Words of their own, said in the language of the message they stand in (a type's name
    /// inside a type error, say).
    Said(Box<Text>),
}

impl Arg<'_> {
    /// The same parameter, owning its text.
    pub fn into_owned(self) -> Arg<'static> {
        match self {
            Arg::Text(text) => Arg::Text(Cow::Owned(text.into_owned())),
            Arg::Number(n) => Arg::Number(n),
            Arg::Said(text) => Arg::Said(text),
        }
    }

    fn to_fluent(&self, lang: Lang) -> FluentValue<'_> {
        match self {
            Arg::Text(text) => FluentValue::from(text.as_ref()),
            Arg::Number(n) => FluentValue::from(*n),
            Arg::Said(text) => FluentValue::from(text.in_lang(lang)),
        }
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(text.as_str()))
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Arg::Text(Cow::Owned(text))
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u64> for Arg<'_> {
    fn from(n: u64) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<Text> for Arg<'_> {
    fn from(text: Text) -> Self {
        Arg::Said(Box::new(text))
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

/// Something to say, not yet said in any language: a catalogue message with its parameters,
/// or (for text that comes from elsewhere, such as a parser's list of expected tokens) words
/// given as they are. Diagnostics hold these, so the same diagnostic can be shown in English
/// and in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// A catalogue message.
    Message {
        /// Its id.
        id: &'static str,
        /// Its parameters.
        args: Vec<(&'static str, Arg<'static>)>,
    },
    /// Words given as they are, the same in every language.
    Verbatim(String),
    /// Alternatives: `a, b or c`, `a、b或c`.
    Alternatives(Vec<Text>),
    /// A list: `a, b, c`, `a、b、c`.
    Listed(Vec<Text>),
}

impl Text {
    /// The text in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        match self {
            Text::Message { id, args } => {
                let args: Vec<(&str, Arg<'_>)> = args
                    .iter()
                    .map(|(name, arg)| (*name, arg.clone()))
                    .collect();
                lang.text(id, &args)
            }
            Text::Verbatim(words) => words.clone(),
            Text::Listed(items) => {
                let said: Vec<String> = items.iter().map(|t| t.in_lang(lang)).collect();
                said.join(&lang.text("list-separator", &[]))
            }
            Text::Alternatives(items) => {
                let said: Vec<String> = items.iter().map(|t| t.in_lang(lang)).collect();
                match said.as_slice() {
                    [] => String::new(),
                    [one] => one.clone(),
                    [init @ .., last] => {
                        let init = init.join(&lang.text("list-separator", &[]));
                        let args = [("init", Arg::from(init)), ("last", Arg::from(last))];
                        lang.text("alternatives", &args)
                    }
                }
            }
        }
    }
}

impl From<String> for Text {
    fn from(words: String) -> Text {
        Text::Verbatim(words)
    }
}

impl From<&str> for Text {
    fn from(words: &str) -> Text {
        Text::Verbatim(words.to_owned())
    }
}

impl Eq for Arg<'_> {}

impl PartialEq for Arg<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Arg::Text(a), Arg::Text(b)) => a == b,
            (Arg::Number(a), Arg::Number(b)) => a == b,
            (Arg::Said(a), Arg::Said(b)) => a == b,
            _ => false,
        }
    }
}

/// `text!("message-id", name = value, …)`: a [`Text`] to say later, in whichever language.
macro_rules! text {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::lang::Text::Message {
            id: $id,
            args: vec![$((stringify!($name), $crate::lang::Arg::from($value).into_owned())),*],
        }
    };
}
pub(crate) use text;

/// `tr!(lang, "message-id", name = value, …)`: the message in `lang`, each value converted
/// with [`Arg::from`].
macro_rules! tr {
    ($lang:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.text($id, &[$((stringify!($name), $crate::lang::Arg::from($value))),*])
    };
}
pub(crate) use tr;

/// The catalogue of `lang`, parsed once.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static ENGLISH_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static CHINESE_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let (cell, text) = match lang {
        Lang::En => (&ENGLISH_BUNDLE, ENGLISH),
        Lang::Zh => (&CHINESE_BUNDLE, CHINESE),
    };
    cell.get_or_init(|| {
        let id = lang
            .tag()
            .parse()
            .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Isolation marks around placeables are for mixed-direction text; in a terminal
        // they are stray bytes.
        bundle.set_use_isolating(false);
        // A catalogue that does not parse is caught by the catalogue test; what parsed is used.
        let resource =
            FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
        bundle
    })
}

#[cfg(test)]
mod tests;
