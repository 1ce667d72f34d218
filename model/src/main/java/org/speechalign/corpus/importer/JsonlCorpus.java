package org.speechalign.corpus.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;

/**
 * Utterances as JSON lines with the fields of {@code speech.golden.v1}: utterance_id, text,
 * speaker, phones ([{symbol, frames}]), tokens (codebooks × frames), codec {name, mode}, split,
 * corpus_version. Interim format of imported corpora until the builder's corpus writer is shared.
 */
public final class JsonlCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlCorpus() {}

    public static ObjectNode toJson(Utterance u) {
        ObjectNode o = JSON.createObjectNode();
        o.put("utterance_id", u.utteranceId());
        o.put("text", u.text());
        o.put("speaker", u.speaker());
        ArrayNode phones = o.putArray("phones");
        for (Phone p : u.phones()) phones.addObject().put("symbol", p.symbol()).put("frames", p.frames());
        ArrayNode tokens = o.putArray("tokens");
        for (int[] row : u.tokens()) {
            ArrayNode r = tokens.addArray();
            for (int t : row) r.add(t);
        }
        o.putObject("codec").put("name", u.codecName()).put("mode", u.codecMode());
        o.put("split", u.split().wireName());
        o.put("corpus_version", u.corpusVersion());
        return o;
    }

    public static Utterance fromJson(JsonNode o) {
        List<Phone> phones = new ArrayList<>();
        for (JsonNode p : o.path("phones")) phones.add(new Phone(p.path("symbol").asText(), p.path("frames").asInt()));
        JsonNode t = o.path("tokens");
        int[][] tokens = new int[t.size()][];
        for (int c = 0; c < t.size(); c++) {
            tokens[c] = new int[t.get(c).size()];
            for (int f = 0; f < tokens[c].length; f++) tokens[c][f] = t.get(c).get(f).asInt();
        }
        return new Utterance(o.path("utterance_id").asText(), o.path("text").asText(), o.path("speaker").asText(),
                phones, tokens, o.path("codec").path("name").asText(), o.path("codec").path("mode").asText(),
                Split.fromWire(o.path("split").asText()), o.path("corpus_version").asText());
    }

    public static void write(Path file, List<Utterance> utterances) throws IOException {
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Utterance u : utterances) {
                w.write(JSON.writeValueAsString(toJson(u)));
                w.write('\n');
            }
        }
    }

    public static List<Utterance> read(Path file) throws IOException {
        List<Utterance> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) if (!line.isBlank()) out.add(fromJson(JSON.readTree(line)));
        }
        return out;
    }
}
