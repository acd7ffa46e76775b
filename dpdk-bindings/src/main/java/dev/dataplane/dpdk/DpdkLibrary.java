package dev.dataplane.dpdk;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads DPDK: the small shim built against the installed libdpdk (see src/main/c) and, through its
 * dependencies, the librte_* libraries. Every downcall in this module is made here, once, into a
 * {@code static final MethodHandle}.
 * <p>
 * The shim is found at the path in the system property {@value #SHIM_PROPERTY}, else it is extracted from
 * the class path, where the build put it.
 */
public final class DpdkLibrary
{
    public static final String SHIM_PROPERTY = "dataplane.shim";
    private static final String SHIM_RESOURCE = "/native/libdataplane_shim.so";

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup DPDK = loadShim();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private DpdkLibrary()
    {
    }

    /** A downcall to a DPDK (or shim) function. Fails fast, naming the symbol, if it is missing. */
    public static MethodHandle downcall(final String name, final FunctionDescriptor descriptor,
        final Linker.Option... options)
    {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** A downcall to a C library function (affinity, getpid...). */
    static MethodHandle libc(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(
            LIBC.find(name).orElseThrow(() -> new DpdkException("libc symbol not found: " + name)), descriptor);
    }

    /** A downcall that returns DPDK's status: 0 for success. */
    interface StatusCall
    {
        int call() throws Throwable;
    }

    /**
     * Makes {@code call} ({@code function}'s downcall, as its message names it) and throws a {@link DpdkException}
     * when it fails or returns anything but 0.
     */
    static void check(final String function, final StatusCall call)
    {
        final int rc;
        try
        {
            rc = call.call();
        }
        catch (final Throwable t)
        {
            throw new DpdkException(function + " failed: " + t);
        }
        if (0 != rc)
        {
            throw new DpdkException(function + " refused: " + rc);
        }
    }

    /** The address of a DPDK function or variable. */
    public static MemorySegment symbol(final String name)
    {
        return DPDK.find(name).orElseThrow(() -> new DpdkException(
            "DPDK symbol not found: " + name + " (is Debian's DPDK 22.11 installed? bin/setup installs it)"));
    }

    private static SymbolLookup loadShim()
    {
        final String configured = System.getProperty(SHIM_PROPERTY);
        final Path path;
        try
        {
            path = null != configured ? Path.of(configured) : extractShim();
            return SymbolLookup.libraryLookup(path, Arena.global());
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new DpdkException("cannot load the DPDK shim " + (null != configured ? configured : SHIM_RESOURCE) +
                ": " + ex.getMessage() + " (are Debian's dpdk and libdpdk-dev installed? bin/setup installs them)");
        }
    }

    private static Path extractShim() throws IOException
    {
        try (InputStream in = DpdkLibrary.class.getResourceAsStream(SHIM_RESOURCE))
        {
            if (null == in)
            {
                throw new IOException("not on the class path; build the project with bin/build");
            }
            final Path file = Files.createTempFile("dataplane_shim", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
