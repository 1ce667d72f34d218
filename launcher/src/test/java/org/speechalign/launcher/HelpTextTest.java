package org.speechalign.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's --help renders as written: picocli formats descriptions with String.format, so a
 * lone '%' (as in "95 %") makes it print a warning and the raw text instead.
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpRendersWithoutFormatWarnings() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // where picocli's warnings go
        List<CommandLine> all = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        try {
            collect(Main.commandLine(), all);
            for (CommandLine c : all) {
                if (c.getUsageMessage(CommandLine.Help.Ansi.OFF).isBlank()) empty.add(c.getCommandName());
            }
        } finally {
            System.setErr(err);
        }
        assertTrue(all.size() > 20, "commands found: " + all.size());
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("Could not format"), warnings);
        assertEquals(List.of(), empty, "commands without help");
    }

    /**
     * A description given as several lines was broken by hand; picocli wraps each line again at the
     * help width, so each must fit it (at 80 columns a line of 100 came out as a long and a short one).
     */
    @Test
    void everyDescriptionLineFitsTheHelpWidth() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        List<String> tooLong = new ArrayList<>();
        for (CommandLine c : all) {
            assertEquals(Main.HELP_WIDTH, c.getUsageHelpWidth(), c.getCommandName());
            String[] lines = c.getCommandSpec().usageMessage().description();
            for (String line : lines) {
                if (lines.length > 1 && line.length() > Main.HELP_WIDTH) tooLong.add(c.getCommandName() + ": " + line);
            }
        }
        assertEquals(List.of(), tooLong);
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            if (!into.contains(sub)) collect(sub, into);
        }
    }
}
