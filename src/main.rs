fn main() {
    std::process::exit(wisp_cli::main())
}
