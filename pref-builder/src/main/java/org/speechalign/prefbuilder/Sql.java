package org.speechalign.prefbuilder;

import java.util.List;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.PhoneFrames;

/** Literal forms PostgreSQL parses cheaply: {@code {{1,2},{3,4}}} for integer[][] and JSON for jsonb. */
final class Sql {

    private Sql() {
    }

    static String intArray(int[][] a) {
        StringBuilder sb = new StringBuilder(a.length * (a.length == 0 ? 2 : a[0].length * 4 + 2) + 2);
        sb.append('{');
        for (int i = 0; i < a.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('{');
            int[] row = a[i];
            for (int j = 0; j < row.length; j++) {
                if (j > 0) {
                    sb.append(',');
                }
                sb.append(row[j]);
            }
            sb.append('}');
        }
        return sb.append('}').toString();
    }

    static String phones(List<PhoneFrames> phones) {
        return Json.writeString(phones == null ? List.of() : phones);
    }
}
