package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Zeroed native memory for a large table read at random on the fast path (a connection table), on the largest pages
 * the process can have, so that a lookup costs a cache miss and not a TLB miss too: EAL's hugepage heap
 * ({@code rte_zmalloc_socket}) when EAL runs on hugepages; else anonymous memory ({@code mmap}) the kernel is asked to
 * back with transparent huge pages ({@code madvise(MADV_HUGEPAGE)} before any page is touched, which THP's "madvise"
 * mode, Debian's default, honours without any hugepage reserved); 4 KiB pages where neither is had. Freed by
 * {@link #close}.
 */
public final class LargeMemory implements AutoCloseable
{
    /** What backs the memory. */
    public enum Backing
    {
        EAL_HUGEPAGES("EAL hugepages"),
        TRANSPARENT_HUGEPAGES("transparent huge pages (madvise)"),
        PAGES("4 KiB pages");

        private final String description;

        Backing(final String description)
        {
            this.description = description;
        }

        public String description()
        {
            return description;
        }
    }

    /** A transparent huge page (x86-64 and AArch64 with 4 KiB base pages): what anonymous memory is aligned to. */
    public static final long HUGE_PAGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    private static final MethodHandle ZMALLOC_SOCKET = DpdkLibrary.downcall("rte_zmalloc_socket",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle FREE = DpdkLibrary.downcall("rte_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle MADVISE = DpdkLibrary.libc("madvise",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = DpdkLibrary.libc("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = DpdkLibrary.libc("munmap",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private final MemorySegment segment;
    private final Backing backing;
    /** The whole mapping, for munmap; null for EAL's memory. */
    private final MemorySegment mapping;
    private boolean closed;

    private LargeMemory(final MemorySegment segment, final Backing backing, final MemorySegment mapping)
    {
        this.segment = segment;
        this.backing = backing;
        this.mapping = mapping;
    }

    /**
     * {@code bytes} of zeroed memory aligned to {@code alignment} (a power of two, at most {@link #HUGE_PAGE}).
     *
     * @param eal the process's EAL, whose hugepage heap is used when it has one (and room); null: none.
     */
    public static LargeMemory allocate(final long bytes, final long alignment, final Eal eal)
    {
        if (bytes < 1 || alignment < 1 || Long.bitCount(alignment) != 1 || alignment > HUGE_PAGE)
        {
            throw new IllegalArgumentException("bytes " + bytes + " or alignment " + alignment);
        }
        if (null != eal && eal.hasHugepages())
        {
            final MemorySegment memory = zmalloc(bytes, alignment, eal.socketId());
            if (!MemorySegment.NULL.equals(memory))
            {
                return new LargeMemory(memory.reinterpret(bytes), Backing.EAL_HUGEPAGES, null);
            }
        }
        // Whole huge pages from a huge page boundary, so that the kernel can back every one of them with one: a
        // mapping a page longer, used from its first boundary.
        final long rounded = (bytes + HUGE_PAGE - 1) & -HUGE_PAGE;
        final MemorySegment mapping = mmap(rounded + HUGE_PAGE);
        final long start = (mapping.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
        final MemorySegment memory = mapping.asSlice(start - mapping.address(), rounded);
        return new LargeMemory(memory.asSlice(0, bytes), madvise(memory) ? Backing.TRANSPARENT_HUGEPAGES :
            Backing.PAGES, mapping);
    }

    public MemorySegment segment()
    {
        return segment;
    }

    public Backing backing()
    {
        return backing;
    }

    /** Frees the memory (once: later calls do nothing). */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (null == mapping)
            {
                FREE.invokeExact(segment);
            }
            else if (0 != (int)MUNMAP.invokeExact(mapping, mapping.byteSize()))
            {
                throw new DpdkException("munmap of " + mapping.byteSize() + " bytes failed");
            }
        }
        catch (final DpdkException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new DpdkException("freeing " + segment.byteSize() + " bytes failed: " + ex);
        }
    }

    private static MemorySegment zmalloc(final long bytes, final long alignment, final int socket)
    {
        try
        {
            return (MemorySegment)ZMALLOC_SOCKET.invokeExact(MemorySegment.NULL, bytes, (int)alignment, socket);
        }
        catch (final Throwable ex)
        {
            throw new DpdkException("rte_zmalloc_socket failed: " + ex);
        }
    }

    /** An anonymous private mapping of {@code bytes} (zeroed by the kernel, each page as it is first touched). */
    private static MemorySegment mmap(final long bytes)
    {
        final MemorySegment mapping;
        try
        {
            mapping = (MemorySegment)MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS, -1, 0L);
        }
        catch (final Throwable ex)
        {
            throw new DpdkException("mmap failed: " + ex);
        }
        if (-1L == mapping.address())
        {
            throw new OutOfMemoryError("cannot map " + bytes + " bytes of memory");
        }
        return mapping.reinterpret(bytes);
    }

    /** Asks for transparent huge pages over {@code memory}; false where the kernel has none (or refuses). */
    private static boolean madvise(final MemorySegment memory)
    {
        try
        {
            return 0 == (int)MADVISE.invokeExact(memory, memory.byteSize(), MADV_HUGEPAGE) &&
                !"[never]".equals(thpMode());
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    /** The kernel's THP mode as its sysfs file shows it, the chosen one in brackets; "" where it has none. */
    private static String thpMode()
    {
        try
        {
            final String modes = Files.readString(THP_ENABLED).trim();
            final int open = modes.indexOf('[');
            final int close = modes.indexOf(']');
            return open >= 0 && close > open ? modes.substring(open, close + 1) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
