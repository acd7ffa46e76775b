package dev.dataplane.forwarder.rules.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;

/**
 * The flow cache's fast path is inlined into the burst loop only while its bytecode stays within C2's limit for
 * hot calls ({@code -XX:FreqInlineSize}, 325 bytes): past it, every packet pays a call, and Java's calling
 * convention spills every value of the loop around it (measured: about 5% of the rules path's code time). This
 * guards that size, read from the compiled class with {@code javap}; a change that needs more room belongs in one
 * of the methods the fast path calls.
 */
class FastPathSizeTest
{
    /** HotSpot's default {@code FreqInlineSize} on x86-64 and AArch64. */
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void forwardPlainFitsC2sHotInliningLimit() throws Exception
    {
        final int size = bytecodeSize(FlowCache.class, "public int forwardPlain(long, int, int, long[]);");
        assertTrue(size > 100, "javap output not understood: " + size + " bytes");
        assertTrue(size <= FREQ_INLINE_SIZE, "FlowCache.forwardPlain is " + size + " bytes of bytecode, over " +
            FREQ_INLINE_SIZE + ": the burst loop would call it instead of inlining it");
    }

    /** The code length of the method declared as {@code declaration}: its last instruction's offset, plus 1. */
    private static int bytecodeSize(final Class<?> type, final String declaration) throws Exception
    {
        final ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        final StringWriter out = new StringWriter();
        final Path classes = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        final int status = javap.run(new PrintWriter(out), new PrintWriter(out), "-c", "-p", "-cp",
            classes.toString(), type.getName());
        assertTrue(0 == status, out.toString());
        final String text = out.toString();
        final int start = text.indexOf("  " + declaration + "\n");
        assertTrue(start >= 0, declaration + " not in\n" + text);
        final int end = text.indexOf("\n\n", start);
        final Matcher offsets = Pattern.compile("(?m)^\\s+(\\d+): (\\w+)").matcher(
            text.substring(start, end < 0 ? text.length() : end));
        int last = -1;
        String lastOpcode = "";
        while (offsets.find())
        {
            last = Integer.parseInt(offsets.group(1));
            lastOpcode = offsets.group(2);
        }
        assertTrue(lastOpcode.endsWith("return"), "the method should end in a return, not " + lastOpcode);
        return last + 1;
    }
}
