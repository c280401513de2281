//! The `voctag` binary: parse arguments, call the library, map the outcome to
//! an exit code (0 all analysed, 1 some rows rejected, 2 fatal or usage).

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use voctag::cli::{Cli, Command, LexiconCommand, ReportFormat};

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits 2 on usage errors
    match cli.command {
        Command::Run(args) => {
            let outcome = args
                .resolve(std::env::args().collect())
                .and_then(|(opts, pipeline)| voctag::run::run(&opts, &pipeline));
            match outcome {
                Ok(report) => {
                    if args.report == ReportFormat::Json {
                        let json = serde_json::to_string(&report).expect("the report serializes");
                        // A closed stdout (`| head`) is not an error of the run.
                        let _ = writeln!(std::io::stdout(), "{json}");
                    } else if !args.quiet {
                        eprint!("{}", report.to_text());
                    }
                    ExitCode::from(report.exit_code())
                }
                Err(e) => fatal(&e),
            }
        }
        Command::Eval(args) => match args.execute() {
            Ok(text) => {
                let _ = writeln!(std::io::stdout(), "{text}");
                ExitCode::SUCCESS
            }
            Err(e) => fatal(&e),
        },
        Command::Train(args) => match args.execute() {
            Ok(summary) => {
                eprintln!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fatal(&e),
        },
        Command::Report(args) => match args.execute() {
            Ok(Some(text)) => {
                let _ = write!(std::io::stdout(), "{text}");
                ExitCode::SUCCESS
            }
            Ok(None) => ExitCode::SUCCESS,
            Err(e) => fatal(&e),
        },
        Command::Query(args) => match voctag::query::run(&args.options()) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => fatal(&e),
        },
        Command::Lexicon(args) => match args.command {
            LexiconCommand::Check(args) => match args.execute() {
                Ok(check) => {
                    for problem in &check.problems {
                        eprintln!("{problem}");
                    }
                    eprintln!("{}", check.summary());
                    ExitCode::from(check.exit_code())
                }
                Err(e) => fatal(&e),
            },
        },
    }
}

fn fatal(e: &dyn std::error::Error) -> ExitCode {
    let mut msg = format!("voctag: error: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    eprintln!("{msg}");
    ExitCode::from(2)
}
