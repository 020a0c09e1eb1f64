package trm.neo4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * Runs an embedded Neo4j Community 5.26 server with only the Bolt connector, for
 * local development and CI (started and stopped by {@code scripts/neo4j}).
 *
 * <h2>Arguments</h2>
 * Each value comes from a command-line option if given, else from an environment
 * variable, else from the default:
 * <pre>
 *   --port N        NEO4J_PORT       Bolt port on 127.0.0.1           (default 7687)
 *   --password PW   NEO4J_PASSWORD   password of user "neo4j"         (default trm-dev-password)
 *   --data DIR      NEO4J_DATA       Neo4j home: DIR/data holds the    (default ./target/neo4j)
 *                                    databases and transaction logs,
 *                                    DIR/logs the debug log, and
 *                                    DIR/neo4j.conf the generated config
 *   --pagecache SZ  NEO4J_PAGECACHE  page cache size                  (default 96m)
 * </pre>
 * Prefer the environment variable for the password: command-line arguments are
 * visible to every user through {@code ps}. The password must have at least 8
 * characters (Neo4j's default minimum).
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Bolt on 127.0.0.1:port (Bolt 4.4 and 5.x); HTTP and HTTPS connectors off.</li>
 *   <li>Authentication on. After start-up the launcher sets the password of user
 *       {@code neo4j} through the system database ({@code ALTER USER neo4j SET PASSWORD
 *       $pw CHANGE NOT REQUIRED}), on every start, so the first login needs no
 *       password change and a changed NEO4J_PASSWORD takes effect on restart.</li>
 *   <li>Bounded page cache, no transaction log preallocation, small rotated
 *       transaction logs kept only briefly.</li>
 *   <li>When ready (after an internal {@code RETURN 1}) prints one line to stdout:
 *       {@code NEO4J_READY bolt://127.0.0.1:<port>}. Failures are printed to stderr
 *       (last line {@code NEO4J_FAILED <reason>}) with exit status 1.</li>
 *   <li>SIGTERM/SIGINT run a shutdown hook that calls
 *       {@code managementService.shutdown()}, which checkpoints and closes the store.</li>
 * </ul>
 *
 * <h2>Running</h2>
 * <pre>
 *   mvn -q compile dependency:copy-dependencies      # in tools/neo4j
 *   java -Xms128m -Xmx512m -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError \
 *        -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC \
 *        -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
 *        -Dlog4j2.disable.jmx=true \
 *        --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
 *        --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *        -cp 'target/classes:target/lib/*' trm.neo4j.Launcher
 * </pre>
 * These are the flags of Neo4j's own neo4j.conf, without -XX:+AlwaysPreTouch (which
 * would make the whole heap resident). It also runs without the --add-opens flags,
 * but then it logs "Unable to advise ... Incorrect file descriptor" warnings.
 * {@code scripts/neo4j start|stop|status} does all this. Do not use a shaded jar:
 * Neo4j finds its components through ServiceLoader.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace(System.err);
            System.err.println("NEO4J_FAILED " + t); // last line, for the log tail
            System.err.flush();
            // exit runs the shutdown hook (if registered), which closes the store cleanly
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        int port = Integer.parseInt(option(opts, "port", "NEO4J_PORT", "7687"));
        String password = option(opts, "password", "NEO4J_PASSWORD", "trm-dev-password");
        Path home = Path.of(option(opts, "data", "NEO4J_DATA", "target/neo4j")).toAbsolutePath().normalize();
        String pageCache = option(opts, "pagecache", "NEO4J_PAGECACHE", "96m");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Files.createDirectories(home);

        Map<String, String> config = new LinkedHashMap<>();
        // connectors
        config.put("server.bolt.enabled", "true");
        config.put("server.bolt.listen_address", "127.0.0.1:" + port);
        config.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        config.put("server.bolt.tls_level", "DISABLED");
        config.put("server.http.enabled", "false");
        config.put("server.https.enabled", "false");
        config.put("server.default_listen_address", "127.0.0.1");
        // Bolt's Netty event loops otherwise wait a 5 s quiet period each on shutdown
        config.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        config.put("internal.dbms.bolt.netty_server_shutdown_timeout", "5s");
        // security
        config.put("dbms.security.auth_enabled", "true");
        // memory
        config.put("server.memory.pagecache.size", pageCache);
        config.put("dbms.memory.transaction.total.max", "256m");
        // small transaction logs
        config.put("db.tx_log.preallocate", "false");
        config.put("db.tx_log.rotation.size", "4m");
        config.put("db.tx_log.rotation.retention_policy", "2 files");
        config.put("db.checkpoint.interval.time", "5m");
        // no usage reporting
        config.put("dbms.usage_report.enabled", "false");

        // The builder takes typed settings or a properties file; a generated file keeps
        // the plain setting names (and shows the effective configuration to a reader).
        Path confFile = home.resolve("neo4j.conf");
        StringBuilder conf = new StringBuilder("# generated by trm.neo4j.Launcher on every start\n");
        config.forEach((k, v) -> conf.append(k).append('=').append(v).append('\n'));
        Files.writeString(confFile, conf.toString());

        long t0 = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(confFile)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("neo4j launcher: shutting down");
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j launcher: shutdown failed: " + t);
            } finally {
                System.err.println("neo4j launcher: stopped");
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        System.err.println("neo4j launcher: DBMS up after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        setPassword(dbms.database("system"), password);
        System.err.println("neo4j launcher: password set after " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        GraphDatabaseService db = dbms.database("neo4j");
        Object one = db.executeTransactionally("RETURN 1 AS one", Map.of(),
                r -> r.hasNext() ? r.next().get("one") : null);
        if (!(one instanceof Number) || ((Number) one).longValue() != 1L) {
            throw new IllegalStateException("RETURN 1 gave " + one);
        }

        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + port
                + " (Neo4j " + neo4jVersion(db) + ", home " + home + ", started in " + ms + " ms)");
        System.out.flush();

        stopped.await(); // the JVM exits once the shutdown hook has finished
    }

    /** Sets the password of user neo4j and clears the change-required flag. */
    private static void setPassword(GraphDatabaseService system, String password) {
        try (Transaction tx = system.beginTx()) {
            tx.execute("ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password)).close();
            tx.commit();
        } catch (RuntimeException e) {
            if (!String.valueOf(deepMessage(e)).contains("cannot be the same")) {
                throw e;
            }
            // already this password (from an earlier start): just make sure no change is required
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static String neo4jVersion(GraphDatabaseService db) {
        try (Transaction tx = db.beginTx();
             Result r = tx.execute("CALL dbms.components() YIELD versions RETURN versions[0] AS v")) {
            return r.hasNext() ? String.valueOf(r.next().get("v")) : "?";
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String deepMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static String option(Map<String, String> opts, String name, String env, String dflt) {
        String v = opts.get(name);
        if (v == null || v.isEmpty()) {
            v = System.getenv(env);
        }
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static Map<String, String> parseArgs(String[] args) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + a);
                }
                key = a.substring(2);
                value = args[++i];
            }
            if (!key.equals("port") && !key.equals("password") && !key.equals("data") && !key.equals("pagecache")) {
                throw new IllegalArgumentException("unknown option --" + key
                        + " (known: --port, --password, --data, --pagecache)");
            }
            m.put(key, value);
        }
        return m;
    }
}
