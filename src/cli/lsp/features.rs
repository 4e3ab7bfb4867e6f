//! What the language server answers about one document, from its `Inspection`: hover,
//! definition, references, rename, completion, outline, semantic tokens and code actions.
//! Nothing here reads files or talks to the editor; `mod.rs` does both.

use std::collections::BTreeMap;

use lsp_types::{
    CodeAction, CodeActionKind, CompletionItem, CompletionItemKind, CompletionTextEdit,
    DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind, SemanticToken,
    SemanticTokenModifier, SemanticTokenType, SymbolKind, TextEdit, Uri, WorkspaceEdit,
};

use super::text::{is_name_char, position, range, word_before};
use arrears::syntax::ast::{self, ExprKind, Item};
use arrears::{Declaration, Diagnostic, Inspection, Lang, SourceFile, Span, Symbol};

/// Where a document's files are for the editor: the URI of a file by the name it was read
/// under (an open document's as the editor wrote it).
pub(super) type UriOf<'a> = &'a dyn Fn(&str) -> Option<Uri>;

/// The file `span` is in, among those `inspection` read.
fn file_of(inspection: &Inspection, span: Span) -> Option<&SourceFile> {
    inspection.source.file(span.file)
}

/// `span` as an LSP location.
pub(super) fn location(inspection: &Inspection, span: Span, uri_of: UriOf<'_>) -> Option<Location> {
    let file = file_of(inspection, span)?;
    Some(Location {
        uri: uri_of(file.name())?,
        range: range(file.text(), span.start, span.end),
    })
}

/// What the name at `offset` of the inspected file stands for.
pub(super) fn symbol_at(inspection: &Inspection, offset: usize) -> Option<(Symbol, Span)> {
    let occurrence = inspection.symbols.at(inspection.source.id(), offset)?;
    Some((occurrence.symbol.clone(), occurrence.span))
}

// ── Hover ───────────────────────────────────────────────────────────────────────────────

/// What the editor shows over the name at `offset`: what it is, its declaration as written,
/// its label, type, other name and what it takes part in; and, over a problem, what its code
/// means and how to fix it (`arrears explain-code`).
pub(super) fn hover(inspection: &Inspection, offset: usize, lang: Lang) -> Option<Hover> {
    let mut parts: Vec<String> = Vec::new();
    let mut place = None;
    if let Some((symbol, span)) = symbol_at(inspection, offset) {
        parts.push(describe(inspection, &symbol, lang));
        place = Some(span);
    }
    for diagnostic in inspection.diagnostics.iter() {
        let Some(span) = diagnostic.primary_span() else {
            continue;
        };
        let here = diagnostic
            .source()
            .is_some_and(|s| s.id() == inspection.source.id())
            && span.start <= offset
            && offset <= span.end;
        if let (true, Some(info)) = (here, arrears::lookup(diagnostic.code().id)) {
            parts.push(format!(
                "**{}** {}\n\n{}",
                info.code.id,
                info.summary_in(lang),
                info.fix_in(lang)
            ));
            place = place.or(Some(span));
        }
    }
    if parts.is_empty() {
        return None;
    }
    let text = inspection.source.text();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: place.map(|span| range(text, span.start, span.end)),
    })
}

/// A symbol in words, as Markdown.
fn describe(inspection: &Inspection, symbol: &Symbol, lang: Lang) -> String {
    let symbols = &inspection.symbols;
    let declaration = symbols.declaration(symbol);
    let mut out = format!("**{}**", title(symbol, lang));
    let Some(declaration) = declaration else {
        return out;
    };
    if let Some(alias) = &declaration.alias {
        out.push_str(" · ");
        out.push_str(&lang.text("lsp-other-name", &[("name", alias.as_str().into())]));
    }
    let written = file_of(inspection, declaration.whole).map(|file| {
        let whole = declaration.whole;
        // A value's declaration starts at its name: show the `let` or `deadline` before it.
        let start = match symbol {
            Symbol::Value(_) => file
                .text()
                .get(..whole.start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |at| at + 1),
            _ => whole.start,
        };
        file.text().get(start..whole.end).unwrap_or_default()
    });
    if let Some(written) = written.filter(|w| !w.is_empty()) {
        out.push_str("\n```arrears\n");
        out.push_str(written.trim_end());
        out.push_str("\n```");
    }
    let mut lines: Vec<String> = Vec::new();
    if let Some(label) = &declaration.label {
        lines.push(label.clone());
    }
    if let Some(type_text) = &declaration.type_text {
        lines.push(lang.text("lsp-type", &[("type", type_text.in_lang(lang).into())]));
    }
    if let Some(Symbol::Decision(decision)) = &declaration.container
        && let Some(header) = symbols
            .declaration(&Symbol::Decision(decision.clone()))
            .and_then(|d| {
                Some(
                    file_of(inspection, d.whole)?
                        .slice(d.whole)
                        .trim()
                        .to_owned(),
                )
            })
    {
        lines.push(lang.text("lsp-in-decision", &[("decision", header.into())]));
    }
    if let Some(basis) = &declaration.basis {
        lines.push(lang.text("lsp-basis", &[("basis", basis.as_str().into())]));
    }
    match symbol {
        Symbol::Action(_) | Symbol::Kind(_) => {
            let kinds = enclosing(inspection, symbol, |s| matches!(s, Symbol::Kind(_)));
            if !kinds.is_empty() {
                lines.push(lang.text("lsp-in-kinds", &[("kinds", ticks(&kinds).into())]));
            }
            let guards = enclosing(inspection, symbol, |s| matches!(s, Symbol::Guard(_)));
            if !guards.is_empty() {
                lines.push(lang.text("lsp-forbidden-by", &[("guards", ticks(&guards).into())]));
            }
            let rules = enclosing(inspection, symbol, |s| matches!(s, Symbol::Rule(_)));
            if !rules.is_empty() {
                lines.push(lang.text("lsp-given-by", &[("rules", ticks(&rules).into())]));
            }
        }
        Symbol::Outcome { .. } => {
            let rules = enclosing(inspection, symbol, |s| matches!(s, Symbol::Rule(_)));
            if !rules.is_empty() {
                lines.push(lang.text("lsp-given-by", &[("rules", ticks(&rules).into())]));
            }
        }
        _ => {}
    }
    for line in lines {
        out.push_str("\n\n");
        out.push_str(&line);
    }
    out
}

/// "field `x`", "rule `T7` of decision `treatment`": what a symbol is, in `lang`.
fn title(symbol: &Symbol, lang: Lang) -> String {
    let name = symbol.name();
    match symbol {
        Symbol::Field(_) => lang.text("lsp-field", &[("name", name.into())]),
        Symbol::RecordField { list, .. } => lang.text(
            "lsp-record-field",
            &[("name", name.into()), ("list", list.as_str().into())],
        ),
        Symbol::Choice { field, .. } => lang.text(
            "lsp-choice",
            &[("name", name.into()), ("field", field.as_str().into())],
        ),
        Symbol::Value(_) => lang.text("lsp-value", &[("name", name.into())]),
        Symbol::Decision(_) => lang.text("lsp-decision", &[("name", name.into())]),
        Symbol::Outcome { decision, .. } => lang.text(
            "lsp-outcome",
            &[
                ("name", name.into()),
                ("decision", decision.as_str().into()),
            ],
        ),
        Symbol::Rule(_) => lang.text("lsp-rule", &[("name", name.into())]),
        Symbol::Guard(_) => lang.text("lsp-guard", &[("name", name.into())]),
        Symbol::Action(_) => lang.text("lsp-action", &[("name", name.into())]),
        Symbol::Kind(_) => lang.text("lsp-kind", &[("name", name.into())]),
    }
}

/// The names of the declarations (of the sort `wanted` picks) that `symbol` is written inside:
/// the kinds that list an action, the guards that forbid it, the rules that give it.
fn enclosing(
    inspection: &Inspection,
    symbol: &Symbol,
    wanted: impl Fn(&Symbol) -> bool,
) -> Vec<String> {
    let declarations: Vec<&Declaration> = inspection
        .symbols
        .declarations()
        .filter(|d| wanted(&d.symbol))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for occurrence in inspection.symbols.references(symbol) {
        if occurrence.definition {
            continue;
        }
        let inside = declarations.iter().find(|d| {
            d.whole.file == occurrence.span.file
                && d.whole.start <= occurrence.span.start
                && occurrence.span.end <= d.whole.end
        });
        if let Some(declaration) = inside {
            let name = declaration.symbol.name().to_owned();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

fn ticks(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ── Rename ──────────────────────────────────────────────────────────────────────────────

/// Why a rename is refused, said to the person who asked.
pub(super) fn rename_refusal(symbol: &Symbol, new_name: &str, lang: Lang) -> Option<String> {
    if symbol.named_by_data() {
        return Some(lang.text("lsp-rename-data", &[("name", symbol.name().into())]));
    }
    let mut chars = new_name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| is_name_char(c) && !c.is_ascii_digit());
    if !starts_well || !new_name.chars().all(is_name_char) || KEYWORDS.contains(&new_name) {
        return Some(lang.text("lsp-rename-invalid", &[("name", new_name.into())]));
    }
    None
}

/// The edits that rename every occurrence of `symbol` in `inspections` (each open document's,
/// so a module's name changes in every policy open that includes it), one edit per place.
pub(super) fn rename_edits(
    inspections: &[&Inspection],
    symbol: &Symbol,
    new_name: &str,
    uri_of: UriOf<'_>,
) -> WorkspaceEdit {
    let mut changes: BTreeMap<String, (Uri, Vec<TextEdit>)> = BTreeMap::new();
    for location in references(inspections, symbol, uri_of) {
        let entry = changes
            .entry(location.uri.as_str().to_owned())
            .or_insert_with(|| (location.uri.clone(), Vec::new()));
        entry.1.push(TextEdit {
            range: location.range,
            new_text: new_name.to_owned(),
        });
    }
    #[allow(
        clippy::mutable_key_type,
        reason = "lsp-types keys edits by Uri, whose hashing clippy cannot see is by value"
    )]
    let changes: std::collections::HashMap<Uri, Vec<TextEdit>> = changes.into_values().collect();
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}

/// Every place `symbol` is written, in every inspection, each place once.
pub(super) fn references(
    inspections: &[&Inspection],
    symbol: &Symbol,
    uri_of: UriOf<'_>,
) -> Vec<Location> {
    let mut seen: Vec<(String, u32, u32, u32)> = Vec::new();
    let mut out = Vec::new();
    for inspection in inspections {
        for occurrence in inspection.symbols.references(symbol) {
            let Some(location) = location(inspection, occurrence.span, uri_of) else {
                continue;
            };
            let key = (
                location.uri.as_str().to_owned(),
                location.range.start.line,
                location.range.start.character,
                location.range.end.character,
            );
            if !seen.contains(&key) {
                seen.push(key);
                out.push(location);
            }
        }
    }
    out
}

// ── Completion ──────────────────────────────────────────────────────────────────────────

/// The words a statement may be written with, offered where a name may go.
const KEYWORDS: &[&str] = &[
    "policy",
    "module",
    "include",
    "use",
    "schema",
    "let",
    "deadline",
    "actions",
    "kind",
    "decision",
    "first",
    "unique",
    "every",
    "match",
    "gives",
    "action",
    "one",
    "of",
    "rule",
    "when",
    "then",
    "otherwise",
    "guard",
    "per",
    "forbid",
    "table",
    "capacity",
    "day",
    "priority",
    "by",
    "desc",
    "asc",
    "and",
    "or",
    "not",
    "is",
    "present",
    "missing",
    "in",
    "if",
    "else",
    "nothing",
    "true",
    "false",
    "days",
    "where",
];

/// The functions, with how each is called (the same words `check` uses to explain them).
const FUNCTIONS: &[(&str, &str)] = &[
    ("count", "count(LIST where CONDITION)"),
    ("sum", "sum(LIST.FIELD where CONDITION)"),
    ("min", "min(LIST.FIELD where CONDITION)"),
    ("max", "max(LIST.FIELD where CONDITION)"),
    ("bucket", "bucket(\"EXPERIMENT\", KEY)"),
    ("weekday", "weekday(DATE)"),
    ("add_months", "add_months(DATE, MONTHS)"),
    ("latest", "latest(DATE, DATE, ...)"),
    ("earliest", "earliest(DATE, DATE, ...)"),
];

/// What may be written where the cursor is.
#[derive(Debug, PartialEq)]
enum Wanted {
    /// A rule's outcome: the decision's values, or actions.
    Outcome(Option<String>),
    /// Actions and kinds (after `forbid`, in a kind's list).
    ActionsOrKinds,
    /// One of a field's choices or a decision's outcomes (after `=`, `!=`, `in [`).
    ChoiceOf(usize),
    /// Any name a condition reads, the record fields of `list` too when inside its `where`.
    Names(Option<String>),
}

/// The completions at `offset`: only what fits there, those starting with what is typed (so a
/// Chinese name completes from its first characters), each replacing the word typed.
pub(super) fn completion(
    inspection: &Inspection,
    text: &str,
    offset: usize,
    lang: Lang,
) -> Vec<CompletionItem> {
    let (start, typed) = word_before(text, offset);
    let wanted = wanted(text, start);
    let symbols = &inspection.symbols;
    let mut items = Items {
        items: Vec::new(),
        edit: range(text, start, offset),
        lang,
    };
    let declared = |pick: &dyn Fn(&Symbol) -> bool| -> Vec<&Declaration> {
        symbols.declarations().filter(|d| pick(&d.symbol)).collect()
    };
    match &wanted {
        Wanted::Outcome(decision) => outcomes(&mut items, symbols, decision.as_deref()),
        Wanted::ActionsOrKinds => {
            for d in declared(&|s| matches!(s, Symbol::Action(_))) {
                items.offer(d, CompletionItemKind::EVENT);
            }
            for d in declared(&|s| matches!(s, Symbol::Kind(_))) {
                items.offer(d, CompletionItemKind::MODULE);
            }
        }
        Wanted::ChoiceOf(name_at) => match symbol_at(inspection, *name_at) {
            Some((Symbol::Field(field), _)) => {
                for d in declared(&|s| matches!(s, Symbol::Choice { field: f, .. } if *f == field))
                {
                    items.offer(d, CompletionItemKind::ENUM_MEMBER);
                }
            }
            Some((Symbol::RecordField { list, field }, _)) => {
                let owner = format!("{list}.{field}");
                for d in declared(&|s| matches!(s, Symbol::Choice { field: f, .. } if *f == owner))
                {
                    items.offer(d, CompletionItemKind::ENUM_MEMBER);
                }
            }
            Some((Symbol::Decision(decision), _)) => {
                outcomes(&mut items, symbols, Some(decision.as_str()));
            }
            _ => {}
        },
        Wanted::Names(list) => {
            if let Some(list) = list {
                for d in
                    declared(&|s| matches!(s, Symbol::RecordField { list: l, .. } if l == list))
                {
                    items.offer(d, CompletionItemKind::FIELD);
                }
            }
            for d in declared(&|s| matches!(s, Symbol::Field(_))) {
                items.offer(d, CompletionItemKind::FIELD);
            }
            for d in declared(&|s| matches!(s, Symbol::Value(_))) {
                items.offer(d, CompletionItemKind::VARIABLE);
            }
            for d in declared(&|s| matches!(s, Symbol::Decision(_))) {
                items.offer(d, CompletionItemKind::REFERENCE);
            }
            items.add(
                "as_of",
                CompletionItemKind::CONSTANT,
                lang.text("lsp-as-of", &[]),
                None,
            );
            for (name, signature) in FUNCTIONS {
                items.add(
                    name,
                    CompletionItemKind::FUNCTION,
                    (*signature).to_owned(),
                    None,
                );
            }
            for keyword in KEYWORDS {
                items.keyword(keyword);
            }
        }
    }
    // Those starting with what is typed, in any case; all of them before anything is typed.
    let typed_lower = typed.to_lowercase();
    let mut items = items.items;
    items.retain(|item| item.label.to_lowercase().starts_with(&typed_lower));
    for (rank, item) in items.iter_mut().enumerate() {
        item.sort_text = Some(format!("{rank:05}"));
    }
    items
}

/// Completion items being gathered: each label once, each replacing the word typed.
struct Items {
    items: Vec<CompletionItem>,
    edit: lsp_types::Range,
    lang: Lang,
}

impl Items {
    fn add(
        &mut self,
        label: &str,
        kind: CompletionItemKind,
        detail: String,
        documentation: Option<String>,
    ) {
        if self.items.iter().any(|i| i.label == label) {
            return;
        }
        self.items.push(CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail: Some(detail),
            documentation: documentation.map(lsp_types::Documentation::String),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: self.edit,
                new_text: label.to_owned(),
            })),
            ..CompletionItem::default()
        });
    }

    /// A declared name, and its other name when it has one.
    fn offer(&mut self, declaration: &Declaration, kind: CompletionItemKind) {
        let detail = title(&declaration.symbol, self.lang);
        self.add(
            declaration.symbol.name(),
            kind,
            detail.clone(),
            declaration.label.clone(),
        );
        if let Some(alias) = &declaration.alias {
            self.add(alias, kind, detail, declaration.label.clone());
        }
    }

    fn keyword(&mut self, word: &str) {
        let detail = self.lang.text("lsp-keyword", &[]);
        self.add(word, CompletionItemKind::KEYWORD, detail, None);
    }
}

/// What a rule of `decision` can give, or a comparison with it can name: its values, or the
/// actions when it gives actions (or is not known), and `nothing`.
fn outcomes(items: &mut Items, symbols: &arrears::Symbols, decision: Option<&str>) {
    let values: Vec<&Declaration> = symbols
        .declarations()
        .filter(|d| matches!(&d.symbol, Symbol::Outcome { decision: of, .. } if Some(of.as_str()) == decision))
        .collect();
    if values.is_empty() {
        for d in symbols
            .declarations()
            .filter(|d| matches!(d.symbol, Symbol::Action(_)))
        {
            items.offer(d, CompletionItemKind::EVENT);
        }
    } else {
        for d in values {
            items.offer(d, CompletionItemKind::ENUM_MEMBER);
        }
    }
    items.keyword("nothing");
}

/// The statement keywords a line can start with: the statement the cursor is in starts at the
/// last line that starts with one.
const STATEMENT_WORDS: &[&str] = &[
    "policy", "module", "include", "use", "schema", "field", "let", "deadline", "actions", "kind",
    "decision", "rule", "guard", "table", "capacity", "|",
];

/// What fits at `start`, read from the text of the statement before it.
fn wanted(text: &str, start: usize) -> Wanted {
    let before_all = text.get(..start).unwrap_or("");
    // The statement's first line: the last line before the cursor that starts a statement.
    let mut statement_start = 0;
    let mut line_start = before_all.len();
    loop {
        let line_begin = before_all
            .get(..line_start)
            .and_then(|b| b.trim_end_matches('\n').rfind('\n'))
            .map_or(0, |at| at + 1);
        let line = before_all.get(line_begin..).unwrap_or("");
        let first = line
            .split(|c: char| c.is_whitespace() || c == ':')
            .find(|w| !w.is_empty())
            .unwrap_or("");
        let first = if first.starts_with('|') { "|" } else { first };
        if STATEMENT_WORDS.contains(&first) || line_begin == 0 {
            statement_start = line_begin;
            break;
        }
        line_start = line_begin.saturating_sub(1);
        if line_start == 0 {
            break;
        }
    }
    let statement = before_all.get(statement_start..).unwrap_or("");
    let words: Vec<&str> = statement
        .split(|c: char| !(is_name_char(c) || "=!≠[],:|(".contains(c)))
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().copied().unwrap_or("");
    let trimmed = statement.trim_end();
    let last_word = words.last().copied().unwrap_or("");
    if first == "guard" && words.contains(&"forbid") {
        return Wanted::ActionsOrKinds;
    }
    if first == "kind" && statement.contains(':') {
        return Wanted::ActionsOrKinds;
    }
    // `capacity ` names an action or kind; `else ` an action.
    if first == "capacity" && (words.len() == 1 || last_word == "else") {
        return Wanted::ActionsOrKinds;
    }
    if (first == "rule" || first.starts_with('|')) && last_word == "then" && !words.contains(&"if")
    {
        return Wanted::Outcome(decision_above(text, start));
    }
    // `x = `, `x != `, `x in [a, `: the name before the operator.
    let operand_end = if let Some(rest) = trimmed
        .strip_suffix("!=")
        .or_else(|| trimmed.strip_suffix('≠'))
        .or_else(|| trimmed.strip_suffix('='))
    {
        Some(rest.trim_end())
    } else {
        let open = trimmed.rfind('[');
        let closed = trimmed.rfind(']');
        match open {
            Some(open) if closed.is_none_or(|c| c < open) => trimmed
                .get(..open)
                .map(str::trim_end)
                .and_then(|b| b.strip_suffix("in"))
                .map(|b| b.trim_end().strip_suffix("not").unwrap_or(b).trim_end()),
            _ => None,
        }
    };
    if let Some(operand) = operand_end {
        let (name_start, name) = word_before(operand, operand.len());
        if !name.is_empty() {
            return Wanted::ChoiceOf(statement_start + name_start);
        }
    }
    // Inside `count(list where ...`: that list's record fields too.
    let list = statement.rfind(" where").and_then(|at| {
        let before = statement.get(..at)?;
        let open = before.rfind('(')?;
        let after = before.get(open + 1..)?.trim();
        let name: String = after.chars().take_while(|c| is_name_char(*c)).collect();
        (!name.is_empty() && !statement.get(at..)?.contains(')')).then_some(name)
    });
    Wanted::Names(list)
}

/// The decision whose rules the text at `offset` is among: the last `decision` line above it.
fn decision_above(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let line = before
        .lines()
        .rev()
        .find(|line| line.starts_with("decision "))?;
    let name: String = line
        .trim_start_matches("decision ")
        .chars()
        .take_while(|c| is_name_char(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

// ── Outline and semantic tokens ─────────────────────────────────────────────────────────

/// The outline of the inspected file: decisions with their rules and outcomes, values,
/// actions, kinds and guards; a schema's fields with their choices and records' fields.
#[allow(
    deprecated,
    reason = "`DocumentSymbol::deprecated` must be written, and is `None`"
)]
pub(super) fn outline(inspection: &Inspection, lang: Lang) -> Vec<DocumentSymbol> {
    let file = inspection.source.id();
    let text = inspection.source.text();
    let here: Vec<&Declaration> = inspection
        .symbols
        .declarations()
        .filter(|d| d.name.file == file && d.whole.file == file)
        .collect();
    let symbol_of = |d: &Declaration, children: Vec<DocumentSymbol>| {
        let whole = d.whole.to(d.name);
        DocumentSymbol {
            name: d.symbol.name().to_owned(),
            detail: d.label.clone().or_else(|| d.alias.clone()),
            kind: symbol_kind(&d.symbol),
            tags: None,
            deprecated: None,
            range: range(text, whole.start, whole.end),
            selection_range: range(text, d.name.start, d.name.end),
            children: (!children.is_empty()).then_some(children),
        }
    };
    let mut top: Vec<(usize, DocumentSymbol)> = Vec::new();
    for declaration in here.iter().filter(|d| d.container.is_none()) {
        let mut children: Vec<(usize, DocumentSymbol)> = here
            .iter()
            .filter(|c| c.container.as_ref() == Some(&declaration.symbol))
            .map(|c| (c.name.start, symbol_of(c, Vec::new())))
            .collect();
        children.sort_by_key(|(at, _)| *at);
        let mut symbol = symbol_of(declaration, children.into_iter().map(|(_, s)| s).collect());
        // A decision's range is its header line; its rules make it longer.
        if let Some(last) = symbol.children.as_ref().and_then(|c| c.last()) {
            symbol.range.end = symbol.range.end.max(last.range.end);
        }
        top.push((declaration.name.start, symbol));
    }
    top.sort_by_key(|(at, _)| *at);
    let _ = lang;
    top.into_iter().map(|(_, s)| s).collect()
}

fn symbol_kind(symbol: &Symbol) -> SymbolKind {
    match symbol {
        Symbol::Field(_) | Symbol::RecordField { .. } => SymbolKind::FIELD,
        Symbol::Choice { .. } | Symbol::Outcome { .. } => SymbolKind::ENUM_MEMBER,
        Symbol::Value(_) => SymbolKind::VARIABLE,
        Symbol::Decision(_) => SymbolKind::FUNCTION,
        Symbol::Rule(_) => SymbolKind::METHOD,
        Symbol::Guard(_) => SymbolKind::INTERFACE,
        Symbol::Action(_) => SymbolKind::EVENT,
        Symbol::Kind(_) => SymbolKind::ENUM,
    }
}

/// The token types the server's semantic tokens use, in legend order.
pub(super) const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::METHOD,
    SemanticTokenType::DECORATOR,
    SemanticTokenType::EVENT,
    SemanticTokenType::TYPE,
];

/// The token modifiers, in legend order.
pub(super) const TOKEN_MODIFIERS: &[SemanticTokenModifier] = &[SemanticTokenModifier::DECLARATION];

fn token_type(symbol: &Symbol) -> u32 {
    match symbol {
        Symbol::Field(_) | Symbol::RecordField { .. } => 0,
        Symbol::Choice { .. } | Symbol::Outcome { .. } => 1,
        Symbol::Value(_) => 2,
        Symbol::Decision(_) => 3,
        Symbol::Rule(_) => 4,
        Symbol::Guard(_) => 5,
        Symbol::Action(_) => 6,
        Symbol::Kind(_) => 7,
    }
}

/// Every name in the inspected file as a semantic token, in the relative form LSP sends.
pub(super) fn semantic_tokens(inspection: &Inspection) -> Vec<SemanticToken> {
    let file = inspection.source.id();
    let text = inspection.source.text();
    let mut tokens = Vec::new();
    let (mut line, mut column) = (0, 0);
    for occurrence in inspection.symbols.occurrences() {
        if occurrence.span.file != file {
            continue;
        }
        let start = position(text, occurrence.span.start);
        let end = position(text, occurrence.span.end);
        if start.line != end.line
            || (start.line == line && start.character < column && !tokens.is_empty())
        {
            continue;
        }
        let delta_line = start.line.saturating_sub(line);
        let delta_start = if delta_line == 0 {
            start.character.saturating_sub(column)
        } else {
            start.character
        };
        tokens.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character.saturating_sub(start.character),
            token_type: token_type(&occurrence.symbol),
            token_modifiers_bitset: u32::from(occurrence.definition),
        });
        (line, column) = (start.line, start.character);
    }
    tokens
}

// ── Code actions ────────────────────────────────────────────────────────────────────────

/// The fixes for the problems of the inspected file that lie in `wanted` (bytes): each
/// did-you-mean suggestion, a presence test before an optional value read without one, and
/// the declaration of an action named but not declared.
pub(super) fn code_actions(
    inspection: &Inspection,
    wanted: (usize, usize),
    uri: &Uri,
    lang: Lang,
    to_lsp: &dyn Fn(&Diagnostic) -> lsp_types::Diagnostic,
) -> Vec<CodeAction> {
    let text = inspection.source.text();
    let file = inspection.source.id();
    let mut actions = Vec::new();
    let mut syntax: Option<ast::PolicyFile> = None;
    for diagnostic in inspection.diagnostics.iter() {
        let Some(span) = diagnostic.primary_span() else {
            continue;
        };
        let in_this_file = diagnostic.source().is_some_and(|s| s.id() == file);
        if !in_this_file || span.end < wanted.0 || span.start > wanted.1 {
            continue;
        }
        let fix = |title: String, edits: Vec<TextEdit>, preferred: bool| {
            #[allow(
                clippy::mutable_key_type,
                reason = "lsp-types keys edits by Uri, whose hashing clippy cannot see is by value"
            )]
            let changes = std::iter::once((uri.clone(), edits)).collect();
            CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(diagnostic)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            }
        };
        if let Some(suggestion) = diagnostic.suggestion() {
            let edit = TextEdit {
                range: range(text, span.start, span.end),
                new_text: suggestion.to_owned(),
            };
            actions.push(fix(
                lang.text("lsp-fix-replace", &[("name", suggestion.into())]),
                vec![edit],
                true,
            ));
        }
        let syntax = syntax.get_or_insert_with(|| arrears::syntax::parse(&inspection.source).0);
        match (diagnostic.message_id(), diagnostic.subject()) {
            (Some("e204-message"), Some(name)) => {
                if let Some(edits) = presence_test(syntax, span, name) {
                    let edits = edits
                        .into_iter()
                        .map(|(at, new_text)| TextEdit {
                            range: range(text, at, at),
                            new_text,
                        })
                        .collect();
                    actions.push(fix(
                        lang.text("lsp-fix-presence", &[("name", name.into())]),
                        edits,
                        diagnostic.suggestion().is_none(),
                    ));
                }
            }
            (Some("e206-not-an-action" | "e212-message"), Some(name))
                if diagnostic.suggestion().is_none()
                    || diagnostic.message_id() == Some("e206-not-an-action") =>
            {
                let (at, new_text) = declare_action(syntax, text, name);
                actions.push(fix(
                    lang.text("lsp-fix-declare", &[("name", name.into())]),
                    vec![TextEdit {
                        range: range(text, at, at),
                        new_text,
                    }],
                    diagnostic.suggestion().is_none(),
                ));
            }
            _ => {}
        }
    }
    actions
}

/// The insertions that put `name is present and` before the rule or guard condition that
/// holds `span` (bracketing the condition when it is an `or`, so the test covers all of it).
fn presence_test(syntax: &ast::PolicyFile, span: Span, name: &str) -> Option<Vec<(usize, String)>> {
    let inside = |condition: &ast::Expr| {
        condition.span.start <= span.start && span.end <= condition.span.end
    };
    let mut conditions = Vec::new();
    for item in &syntax.items {
        match item {
            Item::Decision(decision) => {
                conditions.extend(decision.rules.iter().filter_map(|r| r.condition.as_ref()));
            }
            Item::Guard(guard) => conditions.push(&guard.condition),
            _ => {}
        }
    }
    let condition = conditions.into_iter().find(|c| inside(c))?;
    let test = format!("{name} is present and ");
    Some(match condition.kind {
        ExprKind::Binary {
            op: ast::BinOp::Or, ..
        } => vec![
            (condition.span.start, format!("{test}(")),
            (condition.span.end, ")".to_owned()),
        ],
        _ => vec![(condition.span.start, test)],
    })
}

/// Where and what to insert to declare action `name`: after the last action of the file's
/// last `actions` statement, or as a statement of its own before the first decision.
fn declare_action(syntax: &ast::PolicyFile, text: &str, name: &str) -> (usize, String) {
    let last_actions = syntax.items.iter().rev().find_map(|item| match item {
        Item::Actions(actions) => actions.last(),
        _ => None,
    });
    if let Some(last) = last_actions {
        let end = last
            .label
            .as_ref()
            .map_or(last.name.span.end, |l| l.span.end);
        return (end, format!(",\n  {name}"));
    }
    let first_decision = syntax.items.iter().find_map(|item| match item {
        Item::Decision(decision) => Some(decision.span.start),
        _ => None,
    });
    match first_decision {
        Some(at) => (at, format!("actions {name}\n\n")),
        None => (text.len(), format!("\nactions {name}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted_at(text: &str) -> Wanted {
        let cursor = text.find('‸').expect("a cursor");
        let text = text.replace('‸', "");
        let (start, _) = word_before(&text, cursor);
        wanted(&text, start)
    }

    /// Every request at every place of every shipped policy answers without a panic.
    #[test]
    fn every_place_of_the_shipped_policies_is_answered() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        for name in ["retail.policy", "小微企业催收.policy", "loan-v1.schema"] {
            let path = root.join(name);
            let inspection = if name.ends_with(".schema") {
                arrears::inspect_schema(&arrears::DiskFiles, &path)
            } else {
                arrears::inspect_policy(&arrears::DiskFiles, &path)
            }
            .expect("shipped files are readable");
            let text = inspection.source.text().to_owned();
            let uri: Uri = "file:///p.policy".parse().expect("a URI");
            let uri_of = |_: &str| Some(uri.clone());
            let mut answered = 0;
            for offset in (0..=text.len()).filter(|at| text.is_char_boundary(*at)) {
                let _ = hover(&inspection, offset, Lang::Zh);
                let _ = completion(&inspection, &text, offset, Lang::En);
                if let Some((symbol, _)) = symbol_at(&inspection, offset) {
                    answered += 1;
                    let _ = references(&[&inspection], &symbol, &uri_of);
                    let _ = rename_refusal(&symbol, "新名称", Lang::Zh);
                }
                let _ = code_actions(&inspection, (offset, offset), &uri, Lang::En, &|_| {
                    lsp_types::Diagnostic::default()
                });
            }
            assert!(answered > 100, "{name}: {answered} places with a name");
            let _ = outline(&inspection, Lang::Zh);
            assert!(!semantic_tokens(&inspection).is_empty(), "{name}");
        }
    }

    #[test]
    fn what_fits_is_read_from_the_statement_before_the_cursor() {
        assert_eq!(
            wanted_at("decision d: first match, gives action\n  rule R when x then ph‸"),
            Wanted::Outcome(Some("d".to_owned()))
        );
        assert_eq!(
            wanted_at("guard G when x forbid visit, ‸"),
            Wanted::ActionsOrKinds
        );
        assert_eq!(
            wanted_at("guard G when x\n  forbid\n    visit, ‸"),
            Wanted::ActionsOrKinds
        );
        assert_eq!(wanted_at("kind k: a, ‸"), Wanted::ActionsOrKinds);
        assert_eq!(wanted_at("capacity on‸"), Wanted::ActionsOrKinds);
        assert_eq!(
            wanted_at("capacity visit: 5 per region per day\n  else ph‸"),
            Wanted::ActionsOrKinds
        );
        let text = "rule R when 经营状况 = 正‸";
        assert_eq!(wanted_at(text), Wanted::ChoiceOf(text.find('经').unwrap()));
        let text = "rule R when status in [a, ‸";
        assert_eq!(
            wanted_at(text),
            Wanted::ChoiceOf(text.find("status").unwrap())
        );
        let text = "rule R when status not in [‸";
        assert_eq!(
            wanted_at(text),
            Wanted::ChoiceOf(text.find("status").unwrap())
        );
        assert_eq!(
            wanted_at("let n = count(promises where ke‸"),
            Wanted::Names(Some("promises".to_owned()))
        );
        assert_eq!(
            wanted_at("let n = count(promises where kept) + ‸"),
            Wanted::Names(None)
        );
        assert_eq!(wanted_at("let x = if a then b‸"), Wanted::Names(None));
    }
}
