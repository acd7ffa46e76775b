package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** A packet mbuf pool (rte_pktmbuf_pool_create), with its available and in-use counts. */
public final class Mempool implements AutoCloseable
{
    /** RTE_MBUF_DEFAULT_BUF_SIZE: 2048 bytes of data room plus the 128-byte headroom. */
    public static final int DEFAULT_DATA_ROOM_SIZE = 2048 + Mbuf.HEADROOM;
    /** RTE_MEMPOOL_CACHE_MAX_SIZE in Debian's build. */
    public static final int MAX_CACHE_SIZE = 512;

    private static final MethodHandle POOL_CREATE = DpdkLibrary.downcall("rte_pktmbuf_pool_create",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    private static final MethodHandle POOL_FREE = DpdkLibrary.downcall(
        "rte_mempool_free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle AVAIL_COUNT = DpdkLibrary.downcall(
        "rte_mempool_avail_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle IN_USE_COUNT = DpdkLibrary.downcall(
        "rte_mempool_in_use_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle ALLOC_BULK = DpdkLibrary.downcall(
        "dp_pktmbuf_alloc_bulk", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
        Linker.Option.critical(false));
    private static final MethodHandle RAW_ALLOC_BULK = DpdkLibrary.downcall(
        "dp_mbuf_raw_alloc_bulk", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
        Linker.Option.critical(false));

    private final String name;
    private final long address;
    private final int size;
    private boolean closed;

    private Mempool(final String name, final long address, final int size)
    {
        this.name = name;
        this.address = address;
        this.size = size;
    }

    /**
     * rte_pktmbuf_pool_create.
     *
     * @param size         number of mbufs; DPDK's sweet spot is a power of two minus one.
     * @param cacheSize    per-lcore cache, 0 to {@link #MAX_CACHE_SIZE}.
     * @param dataRoomSize bytes of data room per mbuf, headroom included.
     * @param socketId     NUMA socket, or -1 for any.
     */
    public static Mempool createPktmbufPool(
        final String name, final int size, final int cacheSize, final int dataRoomSize, final int socketId)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("mempool size must be positive: " + size);
        }
        if (cacheSize < 0 || cacheSize > MAX_CACHE_SIZE)
        {
            throw new IllegalArgumentException("mempool cache size must be in 0.." + MAX_CACHE_SIZE + ": " + cacheSize);
        }
        if (dataRoomSize <= Mbuf.HEADROOM || dataRoomSize > 65535)
        {
            throw new IllegalArgumentException("mbuf data room must be in " + (Mbuf.HEADROOM + 1) + "..65535: " +
                dataRoomSize);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment pool = (MemorySegment)POOL_CREATE.invokeExact(
                arena.allocateFrom(name), size, cacheSize, (short)0, (short)dataRoomSize, socketId);
            if (MemorySegment.NULL.equals(pool))
            {
                throw DpdkException.ofRteErrno("rte_pktmbuf_pool_create", 0,
                    "pool " + name + " of " + size + " mbufs of " + dataRoomSize + " B; with --no-huge raise EAL's -m");
            }
            return new Mempool(name, pool.address(), size);
        }
        catch (final DpdkException | IllegalArgumentException ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    public String name()
    {
        return name;
    }

    /** The struct rte_mempool address. */
    public long address()
    {
        return address;
    }

    public int size()
    {
        return size;
    }

    /** Mbufs in the pool, caches included (rte_mempool_avail_count). */
    public int availableCount()
    {
        try
        {
            return (int)AVAIL_COUNT.invokeExact(address);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** Mbufs taken out of the pool and not yet returned (rte_mempool_in_use_count). */
    public int inUseCount()
    {
        try
        {
            return (int)IN_USE_COUNT.invokeExact(address);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /**
     * rte_pktmbuf_alloc_bulk into {@code mbufs[0..count)}: all or nothing.
     *
     * @return true when all {@code count} were allocated, false when the pool had too few (none taken).
     */
    public boolean allocBulk(final MbufArray mbufs, final int count)
    {
        checkCapacity(mbufs, count);
        try
        {
            return 0 == (int)ALLOC_BULK.invokeExact(address, mbufs.address(), count);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /**
     * rte_mempool_get_bulk into {@code mbufs[0..count)}, all or nothing: the mbufs as they went back to the pool, not
     * reset. DPDK keeps every pooled mbuf at one segment, reference count 1 and no next; its lengths, data offset and
     * offload flags are what its last user left. Only for a pool whose every user leaves those as the next wants:
     * a generator's pool of prefilled frames of one length, say (MoonGen's way), where a reset would undo its work.
     *
     * @return true when all {@code count} were taken, false when the pool had too few (none taken).
     */
    public boolean allocBulkRaw(final MbufArray mbufs, final int count)
    {
        checkCapacity(mbufs, count);
        try
        {
            // Each downcall through its own static final handle, which the JIT inlines; not one shared method taking
            // the handle as an argument.
            return 0 == (int)RAW_ALLOC_BULK.invokeExact(address, mbufs.address(), count);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    private static void checkCapacity(final MbufArray mbufs, final int count)
    {
        if (count > mbufs.capacity())
        {
            throw new IndexOutOfBoundsException("allocating " + count + " into an array of " + mbufs.capacity());
        }
    }

    /** rte_mempool_free. Every mbuf should be back first: DPDK frees the memory regardless. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                POOL_FREE.invokeExact(address);
            }
            catch (final Throwable t)
            {
                throw new IllegalStateException(t);
            }
        }
    }

    @Override
    public String toString()
    {
        return "Mempool{" + name + ", size=" + size + '}';
    }
}
