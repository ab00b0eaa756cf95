//! `kitgen completions` and `kitgen man`: both made from the clap definition in `cli.rs`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script of a shell.
pub fn completions(args: CompletionsArgs) -> i32 {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "kitgen", &mut std::io::stdout());
    0
}

/// Prints the man page (roff): the main page, then a section per subcommand (nested ones too).
pub fn man() -> i32 {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let mut ok = clap_mangen::Man::new(cmd.clone()).render(&mut out).is_ok();
    ok &= sections(&cmd, "KITGEN", &mut out);
    use std::io::Write;
    if !ok || std::io::stdout().write_all(&out).is_err() {
        eprintln!("error: cannot write the man page");
        return 3;
    }
    0
}

/// A section per subcommand of `cmd`: its synopsis, description, options and examples.
fn sections(cmd: &clap::Command, path: &str, out: &mut Vec<u8>) -> bool {
    let mut ok = true;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let title = format!("{path} {}", sub.get_name().to_uppercase());
        out.extend_from_slice(format!(".SH \"{title}\"\n").as_bytes());
        let man = clap_mangen::Man::new(sub.clone());
        ok &= man.render_synopsis_section(out).is_ok();
        ok &= man.render_description_section(out).is_ok();
        ok &= man.render_options_section(out).is_ok();
        ok &= man.render_extra_section(out).is_ok();
        ok &= sections(sub, &title, out);
    }
    ok
}
