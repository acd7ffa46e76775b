package dev.dataplane.forwarder.rtc;

import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.runtime.LcoreTransmitter;
import dev.dataplane.runtime.RxStream;

/**
 * Rules applied to one RX queue run to completion on its lcore, the testpmd way: receive a burst, pass it through
 * the {@link RulesProcessor} as a whole, hand what it keeps to the lcore's {@link LcoreTransmitter} for the port it
 * named, free the rest in bulk (a burst all one way is sent or freed whole), and flush TX once per burst.
 */
public final class RuleStream extends RxStream
{
    private final RulesProcessor processor;
    private final LcoreTransmitter transmitter;
    private final MbufArray drops;
    private final int[] destinations;

    public RuleStream(final int rxQueue, final int burst, final RulesProcessor processor,
        final LcoreTransmitter transmitter)
    {
        super(processor.rxPort(), rxQueue, burst);
        this.processor = processor;
        this.transmitter = transmitter;
        this.drops = new MbufArray(burst);
        this.destinations = new int[burst];
    }

    @Override
    public int poll()
    {
        final MbufArray pkts = this.pkts;
        final int received = receive();
        if (0 == received)
        {
            processor.idle();
            return 0;
        }
        final RulesProcessor processor = this.processor;
        final LcoreTransmitter transmitter = this.transmitter;
        final int[] destinations = this.destinations;
        processor.beginBurst();
        processor.process(pkts, received, destinations);
        transmitter.dispatch(pkts, received, destinations, drops);
        sendReleased(processor, transmitter, pkts, destinations, drops);
        processor.endBurst();
        transmitter.flush();
        return received;
    }

    /**
     * Sends (or frees) the later fragments {@code processor}'s tracker held for a first fragment its last burst
     * brought ({@link RulesProcessor#processReleased}), through {@code pkts} and {@code destinations}, which the burst
     * is done with.
     */
    static void sendReleased(final RulesProcessor processor, final LcoreTransmitter transmitter, final MbufArray pkts,
        final int[] destinations, final MbufArray drops)
    {
        int released;
        while (0 != (released = processor.processReleased(pkts, destinations)))
        {
            transmitter.dispatch(pkts, released, destinations, drops);
        }
    }

    public RulesProcessor processor()
    {
        return processor;
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> rules";
    }
}
