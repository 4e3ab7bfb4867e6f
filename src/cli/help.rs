//! `--help` in the reader's language: clap's help is the doc comments of the arguments, in
//! English; for another language each about and argument help is replaced, before parsing, by
//! the catalogue's (`help-run`, `help-run--as-of`, `help-arrears--lang`), and the headings clap
//! prints (Usage, Arguments, Options, Commands) by the catalogue's too. The English entries of
//! the catalogue are held to the doc comments by a test, so the two cannot drift apart.

use clap::{Arg, ArgAction, Command, CommandFactory as _};

use super::Cli;
use arrears::Lang;

/// The command line, its help in `lang`.
pub(crate) fn command(lang: Lang) -> Command {
    let command = Cli::command();
    if lang == Lang::En {
        return command;
    }
    localize(command, "help-arrears", lang, true)
}

/// The language `--help` should speak, read before the command line is parsed: `--lang`
/// (`--lang zh`, `--lang=zh`) among `args`, else the environment's.
pub(crate) fn lang_of(args: &[std::ffi::OsString]) -> Lang {
    let mut words = args.iter().filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => continue,
        };
        if let Some(lang) = value.and_then(Lang::from_tag) {
            return lang;
        }
    }
    Lang::from_env().unwrap_or_default()
}

/// The catalogue's message `id` in `lang`, when it has one.
fn say(lang: Lang, id: &str) -> Option<String> {
    let text = lang.text(id, &[]);
    (text != id).then_some(text)
}

/// `command` (whose messages start with `key`) and its subcommands, in `lang`.
fn localize(mut command: Command, key: &str, lang: Lang, top: bool) -> Command {
    if let Some(about) = say(lang, key) {
        command = command.about(about);
    }
    let heading = |id: &str| say(lang, id).unwrap_or_else(|| id.to_owned());
    let (arguments, options) = (heading("help-arguments"), heading("help-options"));
    let ids: Vec<(String, bool)> = command
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let help = say(lang, &format!("{key}--{}", id.replace('_', "-")));
        let under = if positional {
            arguments.clone()
        } else {
            options.clone()
        };
        command = command.mut_arg(id, |arg| {
            let arg = arg.help_heading(under);
            match help {
                Some(help) => arg.help(help),
                None => arg,
            }
        });
    }
    // clap's own `--help` (and `--version`), said in `lang` under the same heading.
    command = command.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(say(lang, "help-help").unwrap_or_default())
            .help_heading(options.clone()),
    );
    if top {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(say(lang, "help-version").unwrap_or_default())
                .help_heading(options),
        );
    }
    if let Some(commands) = say(lang, "help-commands") {
        command = command.subcommand_help_heading(commands);
    }
    if let Some(usage) = say(lang, "help-usage") {
        command = command.help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage}{{usage}}\n\n{{all-args}}{{after-help}}"
        ));
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .filter(|name| name != "help")
        .collect();
    for name in names {
        let key = format!("help-{name}");
        command = command.mut_subcommand(name, |sub| localize(sub, &key, lang, false));
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every about and argument help: `(key, clap's English)`.
    fn helps() -> Vec<(String, String)> {
        fn walk(command: &Command, key: &str, out: &mut Vec<(String, String)>) {
            let about = command
                .get_about()
                .map(|a| a.to_string())
                .unwrap_or_default();
            out.push((key.to_owned(), about));
            for arg in command.get_arguments() {
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                let id = arg.get_id().to_string().replace('_', "-");
                out.push((format!("{key}--{id}"), help));
            }
            for sub in command.get_subcommands() {
                walk(sub, &format!("help-{}", sub.get_name()), out);
            }
        }
        let mut out = Vec::new();
        walk(&Cli::command(), "help-arrears", &mut out);
        out
    }

    #[test]
    fn the_catalogue_says_every_help_and_its_english_is_the_code_s() {
        for (key, english) in helps() {
            assert_eq!(
                say(Lang::En, &key).as_deref(),
                Some(english.as_str()),
                "{key}"
            );
            assert!(say(Lang::Zh, &key).is_some(), "{key} has no Chinese");
        }
    }

    #[test]
    fn help_is_chinese_when_asked_for() {
        let mut command = command(Lang::Zh);
        let help = command.render_help().to_string();
        assert!(help.contains("用法："), "{help}");
        assert!(help.contains("银行贷款催收"), "{help}");
        let mut run = command.find_subcommand_mut("run").cloned().unwrap();
        let help = run.render_help().to_string();
        assert!(help.contains("评估日，YYYY-MM-DD"), "{help}");
        assert!(help.contains("选项") && help.contains("参数"), "{help}");
    }

    #[test]
    fn the_language_is_read_from_the_arguments_before_parsing() {
        let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_of(&args(&["arrears", "run", "--lang", "zh", "--help"])),
            Lang::Zh
        );
        assert_eq!(
            lang_of(&args(&["arrears", "--lang=zh", "--help"])),
            Lang::Zh
        );
    }
}
