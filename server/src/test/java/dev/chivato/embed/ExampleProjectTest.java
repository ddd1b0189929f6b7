package dev.chivato.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chivato.protocol.Message;
import dev.chivato.server.ExternalTool;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example, run the way a user runs it: a new Maven project with the README's dependency and its example
 * test, built offline against a local repository that holds the artifacts just compiled (as {@code mvn install} would
 * put them) and, for everything else, the build's own repository.
 */
class ExampleProjectTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theReadmeExampleTestPassesInAProjectOfItsOwn(@TempDir Path work) throws Exception {
        ExternalTool.require("mvn");
        String readme = Files.readString(README);
        String version = version(Files.readString(Path.of("pom.xml")));
        Path repository = work.resolve("repository");
        linkBuildRepository(repository, buildRepository());
        install(repository, "chivato-parent", version, Path.of("..", "pom.xml"), null);
        install(repository, "chivato-protocol", version, Path.of("..", "protocol", "pom.xml"), classesOf(Message.class));
        install(repository, "chivato-server", version, Path.of("pom.xml"), classesOf(Chivato.class));

        Path project = work.resolve("example");
        Path tests = Files.createDirectories(project.resolve("src/test/java"));
        Files.writeString(project.resolve("pom.xml"), projectPom(block(readme, "dependency", "xml")));
        Files.writeString(tests.resolve("DatabaseLookupTest.java"), block(readme, "test", "java"));
        Files.writeString(tests.resolve("ClassPathTest.java"), CLASS_PATH_TEST);

        Path output = work.resolve("mvn.log");
        Process mvn = new ProcessBuilder("mvn", "-B", "-o", "-Dmaven.repo.local=" + repository, "test")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!mvn.waitFor(5, TimeUnit.MINUTES)) {
            mvn.destroyForcibly();
            fail("the example project's build did not finish in 5 minutes");
        }
        String log = Files.readString(output);
        assertEquals(0, mvn.exitValue(), "the example project's build failed:\n" + tail(log));
        assertTrue(log.contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0"), "the README's 2 tests and the "
                + "class path's 1 all ran:\n" + tail(log));
    }

    /** Beside the README's test: what the dependency brings is kept small (the command line's libraries stay out). */
    private static final String CLASS_PATH_TEST = """
            import static org.junit.jupiter.api.Assertions.assertThrows;

            import org.junit.jupiter.api.Test;

            class ClassPathTest {
                @Test
                void theCommandLinesLibrariesAreNotOnTheClassPath() {
                    for (String name : new String[] {"picocli.CommandLine", "com.google.protobuf.Message",
                            "io.prometheus.metrics.core.metrics.Counter"}) {
                        assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name);
                    }
                }
            }
            """;

    /** The fenced block of {@code language} after the README's {@code <!-- embed-example: NAME -->} marker. */
    static String block(String readme, String name, String language) {
        Matcher block = Pattern.compile("<!-- embed-example: " + name + " -->\\s*```" + language + "\\n(.*?)```",
                Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "the README has no " + name + " example");
        return block.group(1);
    }

    private static String version(String pom) {
        Matcher parent = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertTrue(parent.find());
        return parent.group(1);
    }

    /** A user's project: Java 17, JUnit 5, the plugins this build uses (so that it builds offline), the dependency. */
    private static String projectPom(String dependency) {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>uses-chivato</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>5.14.1</version>
                      <scope>test</scope>
                    </dependency>
                """ + dependency.indent(4) + """
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.2</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """;
    }

    /** The local repository this build reads, found from where JUnit's jar came from. */
    private static Path buildRepository() throws URISyntaxException {
        Path junit = Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String path = junit.toString();
        int at = path.indexOf("/org/junit/");
        assertTrue(at > 0, "JUnit does not come from a Maven repository: " + path);
        return Path.of(path.substring(0, at));
    }

    /** Every group of the build's repository linked in, but chivato's own, which the test installs afresh. */
    private static void linkBuildRepository(Path repository, Path build) throws IOException {
        Files.createDirectories(repository.resolve("dev"));
        try (Stream<Path> groups = Files.list(build)) {
            for (Path group : groups.toList()) {
                if (!group.getFileName().toString().equals("dev")) {
                    Files.createSymbolicLink(repository.resolve(group.getFileName().toString()), group);
                }
            }
        }
        Path dev = build.resolve("dev");
        if (Files.isDirectory(dev)) {
            try (Stream<Path> groups = Files.list(dev)) {
                for (Path group : groups.toList()) {
                    if (!group.getFileName().toString().equals("chivato")) {
                        Files.createSymbolicLink(repository.resolve("dev").resolve(group.getFileName().toString()),
                                group);
                    }
                }
            }
        }
    }

    /** Where a class was compiled to: this build's classes folder (or its jar, when run against one). */
    private static Path classesOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Puts an artifact's pom, and its jar made from {@code classes}, where {@code mvn install} would. */
    private static void install(Path repository, String artifact, String version, Path pom, Path classes)
            throws IOException {
        Path folder = Files.createDirectories(repository.resolve("dev/chivato").resolve(artifact).resolve(version));
        Files.copy(pom, folder.resolve(artifact + "-" + version + ".pom"));
        if (classes == null) {
            return;
        }
        Path jar = folder.resolve(artifact + "-" + version + ".jar");
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, jar);
            return;
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(classes)) {
            for (Path each : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(each).toString().replace('\\', '/')));
                Files.copy(each, out);
                out.closeEntry();
            }
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
