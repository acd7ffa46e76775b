package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Live capture the DPDK way: {@code rte_pdump_init} in the primary process lets {@code dpdk-dumpcap} (or
 * {@code dpdk-pdump}), run as a secondary process with the same {@code --file-prefix}, copy a port's packets as they
 * pass the ethdev RX/TX calls (the fast path's burst calls go through them) into a file. Capture is multi-process, so
 * it needs EAL's memory shared through hugepages: under {@code --no-huge} the secondary cannot attach. librte_pdump is
 * loaded here, not linked by the shim, so that a process that never captures does not map it.
 */
public final class Pdump
{
    private static final String LIBRARY = "librte_pdump.so.23";

    private static MethodHandle uninit;

    private Pdump()
    {
    }

    /**
     * Calls {@code rte_pdump_init} (after EAL's init, in the primary process).
     *
     * @return null when capture is ready, else why not (the library missing, or DPDK's refusal).
     */
    public static synchronized String init()
    {
        final MethodHandle init;
        try
        {
            final SymbolLookup pdump = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            init = DpdkLibrary.LINKER.downcallHandle(pdump.find("rte_pdump_init").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
            uninit = DpdkLibrary.LINKER.downcallHandle(pdump.find("rte_pdump_uninit").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
        }
        catch (final IllegalArgumentException | java.util.NoSuchElementException ex)
        {
            return "cannot load " + LIBRARY + " (Debian's librte-pdump23, with dpdk): " + ex.getMessage();
        }
        try
        {
            final int rc = (int)init.invokeExact();
            return 0 == rc ? null : "rte_pdump_init refused: " + rc + " (rte_errno " + Eal.errno() + ")";
        }
        catch (final Throwable t)
        {
            return "rte_pdump_init failed: " + t;
        }
    }

    /** Calls {@code rte_pdump_uninit}, if {@link #init} ran (before EAL's cleanup). */
    public static synchronized void uninit()
    {
        if (null == uninit)
        {
            return;
        }
        final MethodHandle handle = uninit;
        uninit = null;
        DpdkLibrary.check("rte_pdump_uninit", () -> (int)handle.invokeExact());
    }
}
