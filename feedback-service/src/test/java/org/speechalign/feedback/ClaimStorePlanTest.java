package org.speechalign.feedback;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.speechalign.embedded.SharedTestRuntime;
import org.speechalign.migrations.Migrations;

/**
 * The claim statements stay index lookups per id for a full group of 1,000 ids on tables of
 * 10^5 rows, whatever the planner's estimates: a hash join over every claim or a hash of the
 * whole ratings table made each batched request's claim take seconds once the tables grew.
 * The rows are added, analysed and explained in one transaction that is rolled back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimStorePlanTest {

    static final int TABLE_ROWS = 100_000;
    static final int GROUP = 1000;

    DataSource ds;
    final String run = "plan-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start() {
        ds = SharedTestRuntime.get().postgres().dataSource();
        Migrations.migrate(ds);
    }

    @Test
    void aGroupOfAThousandIdsIsLookedUpByIndexOnLargeTables() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO ingest_claims (kind, id, payload_sha256, rater_id) SELECT 'rating', '" + run
                        + "-' || i, md5(i::text), 'rater' FROM generate_series(1, " + TABLE_ROWS + ") i");
                st.execute("INSERT INTO ratings (rating_id, synthesis_id, rater_id, score, created_at, payload_sha256, "
                        + "kafka_partition, kafka_offset) SELECT '" + run + "-' || i, 'syn', 'rater', 3, now(), md5(i::text), 0, i "
                        + "FROM generate_series(1, " + TABLE_ROWS + ") i");
                st.execute("ANALYZE ingest_claims");
                st.execute("ANALYZE ratings");
            }
            // Half the group claimed before (and stored), half new.
            List<ClaimStore.Claim> group = new ArrayList<>();
            IntStream.range(0, GROUP).forEach(i -> group.add(new ClaimStore.Claim(
                    i % 2 == 0 ? run + "-" + (i + 1) : run + "-new-" + i, "h" + i, "rater")));
            String insertPlan;
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + ClaimStore.insertAndReadSql(ClaimStore.Kind.RATING))) {
                ClaimStore.bindInsertAndRead(ps, ClaimStore.Kind.RATING, group);
                insertPlan = plan(ps);
            }
            String existingPlan;
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + ClaimStore.existingSql(ClaimStore.Kind.RATING))) {
                ps.setString(1, ClaimStore.Kind.RATING.wire);
                ps.setArray(2, c.createArrayOf("text", group.stream().map(ClaimStore.Claim::id).toArray()));
                existingPlan = plan(ps);
            }
            c.rollback();
            for (String plan : List.of(insertPlan, existingPlan)) {
                assertFalse(plan.contains("Seq Scan on ratings") || plan.contains("Seq Scan on ingest_claims"), plan);
                assertFalse(plan.contains("Hash Cond: (u.id = c.id)"), plan);
                assertTrue(plan.contains("using ratings_pkey on ratings"), plan);
            }
        }
    }

    static String plan(PreparedStatement ps) throws Exception {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.append(rs.getString(1).replaceAll("'\\{[^}]*}'", "'{…}'")).append('\n'); // the 1,000 ids: not in messages
            }
        }
        return out.toString();
    }
}
