package org.speechalign.prefbuilder;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The frame shared by the binary serdes of the hot state stores: null stays null, a value starting
 * with {@code '{'} is the earlier JSON format and is still read (so existing state stores and
 * changelogs restore), anything else is the subclass's binary format, and a value that cannot be
 * read becomes a {@link SerializationException} naming what it should have been.
 */
abstract class BinaryStateSerde<T> implements Serde<T> {

    private final JsonSerde<T> json;
    private final String what;

    BinaryStateSerde(Class<T> type, String what) {
        this.json = JsonSerde.of(type);
        this.what = what;
    }

    abstract byte[] encode(T value);

    abstract T decode(byte[] bytes) throws Exception;

    @Override
    public final Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public final Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return json.deserializer().deserialize(topic, bytes);
            }
            try {
                return decode(bytes);
            } catch (Exception e) {
                throw new SerializationException("cannot read " + what + " from " + topic, e);
            }
        };
    }
}
