package dev.dataplane.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JsonWriterTest
{
    @Test
    void placesCommasAndNestsObjectsAndArrays()
    {
        final String json = new JsonWriter().beginObject().field("type", "stats").field("elapsed_s", 1.23456, 3)
            .name("ports").beginArray().beginObject().field("port", 0).field("up", true).endObject()
            .beginObject().field("port", 1).name("name").nullValue().endObject().endArray()
            .name("empty").beginArray().endArray().field("n", -7L).endObject().toString();
        assertEquals("{\"type\":\"stats\",\"elapsed_s\":1.235,\"ports\":[{\"port\":0,\"up\":true}," +
            "{\"port\":1,\"name\":null}],\"empty\":[],\"n\":-7}", json);
    }

    @Test
    void escapesStringsAndWritesNonFiniteNumbersAsNull()
    {
        final String json = new JsonWriter().beginArray().value("a\"b\\c\nd\u0001").value((String)null)
            .value(Double.NaN, 2).value(Double.POSITIVE_INFINITY, 1).value(2.25, 0).endArray().toString();
        assertEquals("[\"a\\\"b\\\\c\\nd\\u0001\",null,null,null,2]", json);
    }

    @Test
    void splicesAValueAnotherWriterWrote()
    {
        final JsonWriter rows = new JsonWriter().beginArray().value(1).value(2).endArray();
        assertEquals("{\"a\":[1,2],\"b\":0}", new JsonWriter().beginObject().name("a").value(rows).field("b", 0)
            .endObject().toString());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().value(new JsonWriter().beginArray()));
    }

    @Test
    void refusesToCloseWhatIsNotOpen()
    {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().name("x").endObject());
    }
}
