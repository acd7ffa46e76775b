package dev.dataplane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacAddressTest
{
    @Test
    void parsesAndFormats()
    {
        assertEquals(0x0200_0000_00FFL, MacAddress.parse("02:00:00:00:00:ff"));
        assertEquals("02:00:00:00:00:ff", MacAddress.toString(0x0200_0000_00FFL));
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("FF-FF-FF-FF-FF-FF"));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
    }

    @Test
    void rejectsMalformedAddresses()
    {
        for (final String bad : new String[] {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "0g:00:00:00:00:00",
            "002:00:00:00:00:00", "02::00:00:00:00"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> MacAddress.parse(bad));
            assertTrue(ex.getMessage().contains("MAC"), ex.getMessage());
        }
    }

    @Test
    void parsesAndRejectsIpv4Addresses()
    {
        assertEquals(0x0A000811, Ipv4Header.parseAddress("10.0.8.17"));
        assertEquals("10.0.1.2", Ipv4Header.toString(Ipv4Header.parseAddress("10.0.1.2")));
        for (final String bad : new String[] {"10.0.0", "10.0.0.256", "a.b.c.d", "10..0.1", "1.2.3.4.5", "-1.0.0.0"})
        {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Header.parseAddress(bad), bad);
        }
    }
}
