import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only. Its own launcher has no option for the address and
 * its Jetty server binds every interface; this builds the server from the same command line, sets
 * the address on Jetty's connector before it opens, and starts it.
 *
 * <p>local/dynamodb-local.ts runs it in Java's source-file mode the first time (nothing is built
 * ahead of time) with -Dloopback.source and -Dloopback.cache: once the server is up, it compiles
 * itself into that cache, and later starts run the compiled class instead of compiling again.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    if (proxy == null) {
      System.exit(1);
    }
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on 127.0.0.1 only");
    cacheCompiledClass();
    proxy.join();
  }

  /** Best effort: a failure only means the next start compiles the source again. */
  private static void cacheCompiledClass() {
    String source = System.getProperty("loopback.source");
    String cache = System.getProperty("loopback.cache");
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (source == null || cache == null || compiler == null) {
      return;
    }
    try {
      Path target = Path.of(cache);
      // Compiled aside and moved in whole, so a start racing this one never sees half a class.
      Path staging = Files.createTempDirectory(target.getParent(), "staging-");
      int status =
          compiler.run(
              null,
              null,
              null,
              "-d",
              staging.toString(),
              "-cp",
              System.getProperty("java.class.path"),
              source);
      if (status == 0) {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        deleteTree(staging.toFile());
      }
    } catch (Exception error) {
      // Another start cached it first, or the cache is not writable: nothing to do.
    }
  }

  private static void deleteTree(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        deleteTree(child);
      }
    }
    file.delete();
  }
}
