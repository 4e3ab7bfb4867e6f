//! CSV cells that a spreadsheet will not run.
//!
//! Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-` or `@` as a
//! formula, and tab or carriage return can smuggle one in (OWASP, "CSV Injection"). Loan ids,
//! currencies and other text in arrears' CSV come from the bank's data, so every text cell
//! that starts with one of those characters gets a leading apostrophe, which spreadsheets show
//! as text and do not evaluate. Plain numbers (`-1250.00`) are left alone: they are not
//! formulas, and amounts must stay numbers.

use std::borrow::Cow;

/// `cell`, with a leading `'` when a spreadsheet would take it for a formula.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-12`, `+3.50`: an optional sign, digits, and at most one decimal point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-1250.00", "-1250.00"),
            ("+3", "+3"),
            ("-", "'-"),
            ("L00001", "L00001"),
            ("王小明", "王小明"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe, "{cell:?}");
        }
    }
}
