"""CLI commands: each module registers its subcommand and maps arguments to one core call."""
