use std::fmt;

/// Process exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// `wisp check`: some zone fails its profile.
    ZoneFails = 1,
    /// Bad input or usage: the message names the file and line.
    BadInput = 2,
    /// `wisp check`: some zone has too little survey data to judge.
    NotEnoughData = 3,
    /// Writing an output failed (disk full, permissions): not the input's fault.
    OutputFailed = 4,
}

/// An error the CLI reports and exits on.
#[derive(Debug)]
pub struct CliError {
    code: ExitCode,
    message: String,
}

impl CliError {
    pub fn input(message: impl fmt::Display) -> Self {
        CliError {
            code: ExitCode::BadInput,
            message: message.to_string(),
        }
    }
    pub fn output(message: impl fmt::Display) -> Self {
        CliError {
            code: ExitCode::OutputFailed,
            message: message.to_string(),
        }
    }
    pub fn exit_code(&self) -> ExitCode {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<wisp_ingest::IngestError> for CliError {
    fn from(e: wisp_ingest::IngestError) -> Self {
        CliError::input(e)
    }
}

impl From<wisp_render::RenderError> for CliError {
    fn from(e: wisp_render::RenderError) -> Self {
        CliError::output(e)
    }
}
