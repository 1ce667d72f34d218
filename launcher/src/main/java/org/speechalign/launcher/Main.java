package org.speechalign.launcher;

import org.speechalign.MissingDependencyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./speechalign}: dispatches to one subcommand per job. */
@Command(
        name = "speechalign",
        mixinStandardHelpOptions = true,
        version = "speechalign 0.1.0",
        description = "SpeechAlign platform: codec, corpus, evaluation, training and services.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ServeCommand.class,
            KeysCommand.class,
            AlignCommand.class,
            PretrainCommand.class,
            BenchCommand.class,
            CorpusCommand.class,
            DemoCommand.class,
            EvalCommand.class,
        })
public final class Main implements Runnable {

    /** Columns of --help: the descriptions are broken into lines of up to ~115 characters by hand. */
    static final int HELP_WIDTH = 120;

    @Override
    public void run() {
        new CommandLine(this).setUsageHelpWidth(HELP_WIDTH).usage(System.out);
    }

    public static void main(String[] args) {
        // Logging (slf4j-simple): warnings and errors on stderr unless the user asks for more.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // Known noise: Flyway 10.22 has not been certified on PostgreSQL 18 (it works), and the
        // in-process broker logs its first activation and shutdown at WARN.
        System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb.core.internal.database.base.Database", "error");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code ./speechalign} runs it. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setUsageHelpWidth(HELP_WIDTH)
                .setExecutionExceptionHandler(Main::oneLineError);
    }

    /** Expected failures (bad input, missing packages) print one line, not a stack trace. */
    private static int oneLineError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof UserFacingException || e instanceof MissingDependencyException) {
            cmd.getErr().println("speechalign: " + e.getMessage());
            return 2;
        }
        throw new RuntimeException(e);
    }
}
