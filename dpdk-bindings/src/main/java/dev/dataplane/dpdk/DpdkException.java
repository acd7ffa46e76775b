package dev.dataplane.dpdk;

/**
 * A DPDK call failed. Carries the call, its return value and the error text, so the message alone tells the
 * user what went wrong and where.
 */
public final class DpdkException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int returnValue;
    private final int errno;

    public DpdkException(final String call, final int returnValue, final int errno, final String context)
    {
        super(format(call, returnValue, errno, context));
        this.call = call;
        this.returnValue = returnValue;
        this.errno = errno;
    }

    public DpdkException(final String message)
    {
        super(message);
        this.call = "";
        this.returnValue = 0;
        this.errno = 0;
    }

    /** A call that returns a negative errno on failure, the ethdev convention. */
    public static DpdkException ofReturn(final String call, final int returnValue, final String context)
    {
        return new DpdkException(call, returnValue, -returnValue, context);
    }

    /** A call that signals failure by its return value and leaves the reason in rte_errno. */
    public static DpdkException ofRteErrno(final String call, final int returnValue, final String context)
    {
        return new DpdkException(call, returnValue, Eal.errno(), context);
    }

    public String call()
    {
        return call;
    }

    public int returnValue()
    {
        return returnValue;
    }

    public int errno()
    {
        return errno;
    }

    private static String format(final String call, final int returnValue, final int errno, final String context)
    {
        final StringBuilder sb = new StringBuilder(call).append(" failed");
        if (null != context && !context.isEmpty())
        {
            sb.append(" (").append(context).append(')');
        }
        sb.append(": returned ").append(returnValue);
        if (0 != errno)
        {
            sb.append(", ").append(Eal.strerror(errno)).append(" (errno ").append(errno).append(')');
        }
        return sb.toString();
    }
}
