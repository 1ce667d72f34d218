package org.speechalign.prefbuilder;

import java.sql.PreparedStatement;
import java.sql.SQLException;
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

    /**
     * Binds a token matrix to an {@code integer[]} parameter: a rectangular, non-empty one as an int[][]
     * that the driver sends in PostgreSQL's binary array format (no text to build here, none to parse in
     * the server: in bench pairing the text form cost the sink about a sixth of its CPU); anything else
     * (empty, ragged) as the text literal, which PostgreSQL accepts or refuses exactly as before.
     */
    static void setTokens(PreparedStatement ps, int index, int[][] a) throws SQLException {
        if (rectangular(a)) {
            ps.setObject(index, a);
        } else {
            ps.setString(index, intArray(a));
        }
    }

    static boolean rectangular(int[][] a) {
        if (a == null || a.length == 0 || a[0] == null || a[0].length == 0) {
            return false;
        }
        for (int[] row : a) {
            if (row == null || row.length != a[0].length) {
                return false;
            }
        }
        return true;
    }

    static String phones(List<PhoneFrames> phones) {
        return Json.writeString(phones == null ? List.of() : phones);
    }
}
