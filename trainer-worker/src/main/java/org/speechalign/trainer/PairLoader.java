package org.speechalign.trainer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.corpus.Phone;
import org.speechalign.dpo.PreferencePair;
import org.speechalign.lm.ArSequence;
import org.speechalign.loop.golden.GoldenRepository;

/**
 * The preference pairs of a training batch, from {@code preference_pairs}, as the DPO library's
 * records. A side's phone durations: the chosen side's are the pair's {@code phones}; the rejected
 * side's come from its synthesis ({@code syntheses.phones}) or golden utterance. Durations are fitted
 * to the side's frame count ({@link ArSequence#fitDurations}). A pair whose rejected durations
 * cannot be found, or whose phones disagree, is skipped and counted.
 */
final class PairLoader {

    record Loaded(List<PreferencePair> pairs, int skipped, List<String> skippedIds) {
    }

    private final DataSource dataSource;

    PairLoader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Loaded load(String batchId) throws SQLException {
        List<PreferencePair> pairs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT p.pair_id, p.source, p.utterance_id, p.text, p.speaker, p.phones::text, "
                     + "p.chosen_tokens, p.chosen_synthesis_id, p.chosen_utterance_id, p.rejected_tokens, p.rejected_synthesis_id, "
                     + "p.rejected_utterance_id, p.rejected_model_version, p.created_at, coalesce(rs.phones, rg.phones)::text "
                     + "FROM preference_pairs p LEFT JOIN syntheses rs ON rs.synthesis_id = p.rejected_synthesis_id "
                     + "LEFT JOIN golden_utterances rg ON rg.utterance_id = p.rejected_utterance_id "
                     + "WHERE p.batch_id = ? ORDER BY p.pair_id")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    try {
                        List<PhoneFrames> phones = GoldenRepository.phones(rs.getString(6));
                        String rejectedPhones = rs.getString(15);
                        if (rejectedPhones == null) {
                            skipped.add(id);
                            continue;
                        }
                        List<PhoneFrames> rp = GoldenRepository.phones(rejectedPhones);
                        if (rp.size() != phones.size()) {
                            skipped.add(id);
                            continue;
                        }
                        int[][] ct = GoldenRepository.ints2(rs.getArray(7));
                        int[][] rt = GoldenRepository.ints2(rs.getArray(10));
                        int[] cd = ArSequence.fitDurations(phones.stream().mapToInt(PhoneFrames::frames).toArray(), ct[0].length);
                        int[] rd = ArSequence.fitDurations(rp.stream().mapToInt(PhoneFrames::frames).toArray(), rt[0].length);
                        PreferencePair.Side chosen = rs.getString(8) != null ? PreferencePair.Side.synthesis(rs.getString(8), ct[0], cd)
                                : PreferencePair.Side.golden(rs.getString(9), ct, cd);
                        PreferencePair.Side rejected = rs.getString(11) != null ? PreferencePair.Side.synthesis(rs.getString(11), rt[0], rd)
                                : PreferencePair.Side.golden(rs.getString(12), rt, rd);
                        List<Phone> ph = new ArrayList<>();
                        for (int i = 0; i < phones.size(); i++) ph.add(new Phone(phones.get(i).symbol(), cd[i]));
                        pairs.add(new PreferencePair(id, PreferencePair.Source.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                                rs.getString(3), rs.getString(4), rs.getString(5), ph, chosen, rejected, rs.getString(13),
                                rs.getTimestamp(14).toInstant()));
                    } catch (RuntimeException e) {
                        skipped.add(id);
                    }
                }
            }
        }
        return new Loaded(pairs, skipped.size(), skipped);
    }
}
