package org.speechalign.prefbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DurableOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void offsetsWaitUntilTheirWalIsFlushed() {
        DurableOffsets d = new DurableOffsets();
        d.written(100, poll(Map.of(P0, new long[] {4, 5}, P1, new long[] {9})));
        d.written(200, poll(Map.of(P0, new long[] {6})));
        assertTrue(d.durable(99).isEmpty(), "nothing flushed yet: no offset may be committed");
        assertEquals(Map.of(P0, new OffsetAndMetadata(6), P1, new OffsetAndMetadata(10)), d.durable(150));
        assertEquals(Map.of(P0, new OffsetAndMetadata(7)), d.durable(200));
        assertTrue(d.isEmpty());
    }

    @Test
    void laterPollsOffsetsWinAndClearForgets() {
        DurableOffsets d = new DurableOffsets();
        d.written(10, poll(Map.of(P0, new long[] {1})));
        d.written(20, poll(Map.of(P0, new long[] {2})));
        assertEquals(Map.of(P0, new OffsetAndMetadata(3)), d.durable(25));
        d.written(30, poll(Map.of(P1, new long[] {1})));
        d.clear();
        assertTrue(d.durable(Long.MAX_VALUE).isEmpty());
    }

    @Test
    void parsesPgLsn() {
        assertEquals(0x16L << 32 | 0xB374D848L, DurableOffsets.parse("16/B374D848"));
        assertEquals(0L, DurableOffsets.parse("0/0"));
        assertTrue(DurableOffsets.parse("1/0") > DurableOffsets.parse("0/FFFFFFFF"));
    }

    private static ConsumerRecords<String, byte[]> poll(Map<TopicPartition, long[]> offsets) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> m = new java.util.HashMap<>();
        offsets.forEach((tp, os) -> m.put(tp, java.util.Arrays.stream(os)
                .mapToObj(o -> new ConsumerRecord<String, byte[]>(tp.topic(), tp.partition(), o, "k", new byte[0])).toList()));
        return new ConsumerRecords<>(m, Map.of());
    }
}
