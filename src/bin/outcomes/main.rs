//! `outcomes`: the command-line tool of the `outcomes` crate.
//!
//! One subcommand per task (`evaluate`, `validate`, `match`, `did`,
//! `pre-post`, `ndt`, `attendance`, `asb`, `costs`, `cba`, `generate`,
//! `init`), each a module here speaking only the library's public API.
//!
//! Conventions, as in `cargo`, `git` and `xsv`: results on stdout (a
//! plain-text table, or JSON with `--json`), progress and messages on
//! stderr; `--quiet` silences progress. Exit code 0 on success, 1 for bad
//! input or a failed run (one line `error: ...` naming the file, row,
//! column or spec key), 2 for bad usage (clap's own). No identifier is ever
//! printed.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod common;
mod costs;
mod did;
mod evaluate;
mod generate;
mod init;
mod matching;
mod ndt;
mod pre_post;
mod progress;
mod sample;
mod school;
mod validate;

use common::Done;
use progress::Reporter;

/// Measure and evaluate the outcomes of programmes supporting people facing
/// multiple disadvantage.
///
/// Results go to stdout (a plain-text table, or JSON with `--json`);
/// progress goes to stderr. Without data arguments every subcommand runs on
/// the bundled synthetic sample (`data/sample/`). Exit codes: 0 success,
/// 1 bad input or a failed run, 2 bad usage.
#[derive(Debug, Parser)]
#[command(name = "outcomes", version, propagate_version = true)]
struct OutcomesCli {
    /// Print no progress on stderr (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// The task to run.
    #[command(subcommand)]
    command: OutcomesCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum OutcomesCommand {
    /// Run a whole evaluation from a spec and write the report folder.
    Evaluate(evaluate::EvaluateCmd),
    /// Load and validate one data file as the main job would.
    Validate(validate::ValidateCmd),
    /// Propensity-score matched comparison of a CSV file (MatchIt "nearest").
    #[command(name = "match")]
    Match(matching::MatchCmd),
    /// Difference in differences from a long CSV file (2×2, iid/HC1/CR1).
    Did(did::DidCmd),
    /// Paired before/after statistics: on a spec's data, or on two columns of a CSV.
    PrePost(pre_post::PrePostCmd),
    /// NDT assessments: baseline versus follow-up, by item and in total.
    Ndt(ndt::NdtCmd),
    /// School attendance, pilot versus comparison, before and after the start.
    Attendance(school::AttendanceCmd),
    /// Anti-social behaviour rates per 1,000, pilot versus comparison areas.
    Asb(school::AsbCmd),
    /// Cost offsets: cost per person before and after, by group and agency.
    Costs(costs::CostsCmd),
    /// Cost-benefit analysis (Green Book) with its sensitivity table.
    Cba(costs::CbaCmd),
    /// Write a seeded synthetic cohort (all people fictional).
    Generate(generate::GenerateCmd),
    /// Recognise the datasets in a folder and write a starter evaluation.toml.
    Init(init::InitCmd),
}

fn main() -> ExitCode {
    // A panic is a bug, never the user's input: say so in one line, with no
    // backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error (please report it): {info}");
    }));
    let cli = OutcomesCli::parse();
    let reporter = Reporter::new(cli.quiet);
    let result = dispatch(&cli.command, &reporter);
    reporter.finish();
    match result {
        Ok(done) => {
            let mut out = std::io::stdout().lock();
            match out
                .write_all(done.stdout.as_bytes())
                .and_then(|()| out.flush())
            {
                Ok(()) => {}
                // `outcomes ... | head`: the reader left; not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    eprintln!("error: writing the results to stdout: {e}");
                    return ExitCode::from(1);
                }
            }
            if let Some(why) = &done.failure {
                eprintln!("error: {why}");
            }
            ExitCode::from(done.code)
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&e.to_string()));
            ExitCode::from(1)
        }
    }
}

/// An error message on one line. A parser's message may quote the offending
/// line of a file under a `|` gutter (TOML does): those lines are dropped,
/// as the line may be data, and the rest is joined.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.contains(" |"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A usage error that clap's attributes cannot express: reported as clap
/// reports its own (usage on stderr, exit code 2).
pub(crate) fn usage_error(message: &str) -> ! {
    use clap::CommandFactory;
    OutcomesCli::command()
        .error(clap::error::ErrorKind::MissingRequiredArgument, message)
        .exit()
}

fn dispatch(command: &OutcomesCommand, reporter: &Reporter) -> outcomes::Result<Done> {
    match command {
        OutcomesCommand::Evaluate(c) => evaluate::run(c, reporter),
        OutcomesCommand::Validate(c) => validate::run(c, reporter),
        OutcomesCommand::Match(c) => matching::run(c, reporter),
        OutcomesCommand::Did(c) => did::run(c, reporter),
        OutcomesCommand::PrePost(c) => pre_post::run(c, reporter),
        OutcomesCommand::Ndt(c) => ndt::run(c, reporter),
        OutcomesCommand::Attendance(c) => school::run_attendance(c, reporter),
        OutcomesCommand::Asb(c) => school::run_asb(c, reporter),
        OutcomesCommand::Costs(c) => costs::run_costs(c, reporter),
        OutcomesCommand::Cba(c) => costs::run_cba(c, reporter),
        OutcomesCommand::Generate(c) => generate::run(c, reporter),
        OutcomesCommand::Init(c) => init::run(c, reporter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outcomes::compare::report::CovariateKind;
    use outcomes::compare::{Caliper, MatchOrder, Replacement};

    fn parse(line: &str) -> Result<OutcomesCli, clap::Error> {
        OutcomesCli::try_parse_from(std::iter::once("outcomes").chain(line.split_whitespace()))
    }

    /// The `match` options become the library spec they name (formerly the
    /// library's `parse_matched_comparison_args` test).
    #[test]
    fn match_options_make_the_spec() {
        let cli = parse(
            "match --data x.csv --treatment treat --covariates age,race:categorical,re74:numeric \
             --outcome re78 --ratio 2 --caliper 0.2 --replace --exact married --order smallest",
        )
        .unwrap();
        let OutcomesCommand::Match(m) = cli.command else {
            panic!("not match");
        };
        let spec = m.spec().unwrap();
        assert_eq!(spec.ratio.get(), 2);
        assert_eq!(spec.caliper, Some(Caliper::StandardDeviations(0.2)));
        assert_eq!(spec.replacement, Replacement::With);
        assert_eq!(spec.covariates[1].kind, CovariateKind::Categorical);
        assert_eq!(spec.covariates[2].kind, CovariateKind::Numeric);
        assert_eq!(spec.covariates[0].kind, CovariateKind::Auto);
        assert_eq!(spec.order, MatchOrder::Smallest);
        assert_eq!(spec.exact, vec!["married".to_string()]);
        // Malformed command lines are clap's usage errors.
        for bad in [
            "match --data x.csv --treatment t --covariates a --outcome y --bogus 1",
            "match --data x.csv --treatment t --covariates a",
            "match --data x.csv --treatment t --covariates a --outcome y --order random",
            "match --data x.csv --data y.csv --treatment t --covariates a --outcome y",
            "match --data --treatment t --covariates a --outcome y",
            "match --treatment t",
            "did --data p.csv --unit id",
            "did --data=p.csv --unit id --time t --treated a --post b --outcome y --x 1",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
        // Values out of range are the library's errors (exit 1).
        for bad in [
            "match --data x.csv --treatment t --covariates a --outcome y --ratio 0",
            "match --data x.csv --treatment t --covariates a --outcome y --caliper=-1",
            "match --data x.csv --treatment t --covariates a:weird --outcome y",
        ] {
            let OutcomesCommand::Match(m) = parse(bad).unwrap().command else {
                panic!("not match");
            };
            assert!(m.spec().is_err(), "{bad}");
        }
        assert!(parse(
            "did --data p.csv --unit id --time wave --treated nj --post after --outcome fte --cluster id2"
        )
        .is_ok());
    }

    /// Messages lose a parser's quoted source lines and stay on one line.
    #[test]
    fn errors_fit_on_one_line() {
        let m =
            "spec: TOML parse error at line 1, column 10\n  |\n1 | SECRET,x\n  |   ^\nexpected `=`";
        assert_eq!(
            one_line(m),
            "spec: TOML parse error at line 1, column 10 expected `=`"
        );
    }
}
