package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import org.junit.jupiter.api.Test;

/** The options of connection tracking: modes, timeouts by nf_conntrack's names, and the tracker they make. */
class ConnTrackConfigTest
{
    @Test
    void autoTracksOnlyForRulesThatNeedIt()
    {
        assertTrue(ConnTrackConfig.DEFAULT.enabledFor(true));
        assertFalse(ConnTrackConfig.DEFAULT.enabledFor(false));
        assertTrue(config(ConnTrackConfig.Mode.ON, Map.of()).enabledFor(false));
        assertFalse(config(ConnTrackConfig.Mode.OFF, Map.of()).enabledFor(true));
        assertEquals(ConnTrackConfig.Mode.OFF, ConnTrackConfig.Mode.of("off"));
        assertEquals(null, ConnTrackConfig.Mode.of("OFF"));
    }

    @Test
    void timeoutsAreNamedAfterTheSysctlsAndChecked()
    {
        assertEquals(7440L, ConnTrackConfig.defaultTimeouts().get("tcp-established"));
        assertEquals(120L, ConnTrackConfig.defaultTimeouts().get("udp-stream"));
        assertEquals(Map.of("udp", 5L, "tcp-close", 1L),
            ConnTrackConfig.parseTimeouts(List.of("udp=5", "tcp-close= 1")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnTrackConfig.parseTimeouts(List.of("udp")))
            .getMessage().contains("NAME=SECONDS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config(ConnTrackConfig.Mode.ON,
            Map.of("tcp-establshed", 5L))).getMessage().contains("unknown timeout 'tcp-establshed'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config(ConnTrackConfig.Mode.ON,
            Map.of("udp", 0L))).getMessage().contains("1 s to 30 days"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ConnTrackConfig(ConnTrackConfig.Mode.ON,
            0, false, Map.of())).getMessage().contains("--max-flows"));
    }

    @Test
    void itsTrackerTakesTheTimeouts()
    {
        try (ConnTracker tracker = config(ConnTrackConfig.Mode.ON, Map.of("udp", 5L)).newTracker(null))
        {
            final PacketView view = new PacketView();
            final byte[] frame = new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.8.18"),
                Ipv4Header.parseAddress("10.0.1.2")).udp(5000, 53).build();
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            assertEquals(ConnTracker.NEW, tracker.track(view, 0));
            tracker.sweep(4_999, 1 << 16);
            assertEquals(1, tracker.table().used());
            tracker.sweep(5_000, 1 << 16);
            assertEquals(0, tracker.table().used(), "gone after the 5 s asked for");
            assertEquals(1 << 16, tracker.table().capacity());
        }
    }

    private static ConnTrackConfig config(final ConnTrackConfig.Mode mode, final Map<String, Long> timeouts)
    {
        return new ConnTrackConfig(mode, 1 << 16, false, timeouts);
    }
}
