package org.speechalign.launcher;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.speechalign.contracts.auth.ApiKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code speechalign keys create|revoke}: API keys, stored hashed, in the embedded or external database. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Creates and revokes API keys (stored hashed with their roles).",
                "Works on DATABASE_URL when set, else on the embedded PostgreSQL under SPEECHALIGN_HOME."},
        subcommands = {KeysCommand.Create.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a key and prints it once (only its sha-256 is stored).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "who the key is for (unique among active keys)")
        String name;

        @Option(names = "--role", required = true, arity = "1..*", description = "ingest, synthesize, admin (repeatable or comma-separated)")
        List<String> roles;

        @Option(names = "--rate", description = "events per second per service instance (default: the service's)")
        Integer rate;

        @Override
        public Integer call() {
            Set<ApiKeys.Role> parsed;
            try {
                parsed = ApiKeys.parseRoles(roles);
            } catch (IllegalArgumentException e) {
                throw new UserFacingException(e.getMessage());
            }
            if (rate != null && rate < 1) {
                throw new UserFacingException("--rate must be at least 1");
            }
            try (Database db = Database.open()) {
                ApiKeys.Created key = new ApiKeys(db.dataSource).create(name, parsed, rate);
                System.err.println("created key " + key.keyId() + " '" + name + "' with roles "
                        + parsed.stream().map(ApiKeys.Role::wire).toList() + " in " + db.description
                        + "; it is shown only now:");
                System.out.println(key.secret());
                return 0;
            } catch (IllegalArgumentException e) {
                throw new UserFacingException(e.getMessage());
            } catch (SQLException e) {
                throw new UserFacingException("database error: " + e.getMessage());
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes the active key with this name or key id.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(paramLabel = "NAME_OR_ID")
        String nameOrId;

        @Override
        public Integer call() {
            try (Database db = Database.open()) {
                int n = new ApiKeys(db.dataSource).revoke(nameOrId);
                if (n == 0) {
                    throw new UserFacingException("no active key named or with id '" + nameOrId + "'");
                }
                System.out.println("revoked " + nameOrId);
                return 0;
            } catch (SQLException e) {
                throw new UserFacingException("database error: " + e.getMessage());
            }
        }
    }
}
