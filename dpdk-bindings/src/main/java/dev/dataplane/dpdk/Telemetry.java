package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The application's own commands on DPDK's telemetry socket ({@code rte_telemetry_register_cmd}), beside EAL's and
 * ethdev's, so that {@code dpdk-telemetry.py -f PREFIX} reads them as it reads {@code /ethdev/stats}. A command is
 * answered from Java on DPDK's telemetry thread (an upcall): the handler fills a {@link Reply} (a dictionary of
 * numbers and strings) from what the lcores publish. A handler that throws answers an error, never the process.
 */
public final class Telemetry
{
    /** What DPDK takes of a command's name. */
    private static final Pattern COMMAND = Pattern.compile("/[A-Za-z0-9_/]{1,62}");
    /** RTE_TEL_MAX_STRING_LEN, less the terminator. */
    private static final int MAX_STRING = 127;
    private static final FunctionDescriptor CALLBACK = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle REGISTER = DpdkLibrary.downcall("rte_telemetry_register_cmd",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle START_DICT = DpdkLibrary.downcall("rte_tel_data_start_dict",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_U64 = DpdkLibrary.downcall("rte_tel_data_add_dict_u64",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle ADD_STRING = DpdkLibrary.downcall("rte_tel_data_add_dict_string",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle DISPATCH;

    static
    {
        try
        {
            DISPATCH = MethodHandles.lookup().findStatic(Telemetry.class, "dispatch", MethodType.methodType(int.class,
                BiConsumer.class, MemorySegment.class, MemorySegment.class, MemorySegment.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private Telemetry()
    {
    }

    /** A command's answer: a dictionary, filled by the handler (names of letters, digits and underscores). */
    public static final class Reply
    {
        private final MemorySegment data;
        private final Arena arena;

        private Reply(final MemorySegment data, final Arena arena)
        {
            this.data = data;
            this.arena = arena;
        }

        /** Adds {@code name: value} (an unsigned 64-bit number). */
        public Reply add(final String name, final long value)
        {
            DpdkLibrary.check("rte_tel_data_add_dict_u64",
                () -> (int)ADD_U64.invokeExact(data, arena.allocateFrom(name), value));
            return this;
        }

        /** Adds {@code name: value}, cut to what telemetry carries (127 bytes). */
        public Reply add(final String name, final String value)
        {
            final String cut = value.length() > MAX_STRING ? value.substring(0, MAX_STRING) : value;
            DpdkLibrary.check("rte_tel_data_add_dict_string",
                () -> (int)ADD_STRING.invokeExact(data, arena.allocateFrom(name), arena.allocateFrom(cut)));
            return this;
        }
    }

    /**
     * Registers {@code command} ({@code /app/what}), answered by {@code handler} with the command's parameters (the
     * text after the comma, or empty). Stays registered for the life of the process.
     *
     * @throws IllegalArgumentException when the name is not one telemetry takes.
     * @throws DpdkException            when DPDK refuses it (taken, or the table is full).
     */
    public static void register(final String command, final String help, final BiConsumer<String, Reply> handler)
    {
        if (!COMMAND.matcher(command).matches())
        {
            throw new IllegalArgumentException("a telemetry command is / and letters, digits, _ and /: " + command);
        }
        final MemorySegment stub = DpdkLibrary.LINKER.upcallStub(DISPATCH.bindTo(handler), CALLBACK, Arena.global());
        DpdkLibrary.check("rte_telemetry_register_cmd " + command, () -> (int)REGISTER.invokeExact(
            Arena.global().allocateFrom(command), stub, Arena.global().allocateFrom(help)));
    }

    /** The upcall: a dictionary started, the handler's answer in it; -1 (an error reply) if anything throws. */
    private static int dispatch(final BiConsumer<String, Reply> handler, final MemorySegment command,
        final MemorySegment params, final MemorySegment data)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment info = data.reinterpret(Long.MAX_VALUE);
            if (0 != (int)START_DICT.invokeExact(info))
            {
                return -1;
            }
            final String text = MemorySegment.NULL.equals(params) ? "" :
                params.reinterpret(Long.MAX_VALUE).getString(0);
            handler.accept(text, new Reply(info, arena));
            return 0;
        }
        catch (final Throwable t)
        {
            return -1;
        }
    }
}
