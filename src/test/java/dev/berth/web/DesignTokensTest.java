package dev.berth.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Colours are named once, in {@code static/tokens.css}: no template and no other stylesheet holds a raw hex colour,
 * and the tokens have a dark theme.
 */
class DesignTokensTest {
    private static final Path RESOURCES = Path.of("src/main/resources");
    private static final Path STATIC = RESOURCES.resolve("META-INF/resources/static");
    /** A hex colour: {@code #} and 3, 4, 6 or 8 hex digits, not part of an entity ({@code &#8230;}) or a word. */
    private static final Pattern HEX = Pattern.compile("(?<![&\\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\\b");

    @Test
    void noTemplateOrStylesheetButTheTokensHoldsARawHexColour() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.walk(RESOURCES.resolve("templates")), Files.walk(STATIC))) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".html") || f.toString().endsWith(".css"))
                    .filter(f -> !f.getFileName().toString().equals("tokens.css")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = HEX.matcher(lines.get(i));
                    while (m.find()) {
                        found.add(RESOURCES.relativize(f) + ":" + (i + 1) + " " + m.group());
                    }
                }
            }
        }
        assertThat(found).as("raw hex colours outside tokens.css; use a --color-* token").isEmpty();
    }

    @Test
    void theTokensDefineColoursSpacingAndTypeAndADarkThemeOfTheSameColours() throws IOException {
        String tokens = Files.readString(STATIC.resolve("tokens.css"));
        String light = tokens.substring(0, tokens.indexOf("@media (prefers-color-scheme: dark)"));
        String dark = tokens.substring(tokens.indexOf("@media (prefers-color-scheme: dark)"));
        assertThat(light).contains("--space-1:", "--space-4:", "--text-sm:", "--text-xl:", "--color-accent:");
        Matcher colour = Pattern.compile("(--color-[a-z-]+):\\s*#").matcher(light);
        List<String> colours = new ArrayList<>();
        while (colour.find()) {
            colours.add(colour.group(1));
        }
        assertThat(colours).hasSizeGreaterThan(20);
        assertThat(colours).allSatisfy(c -> assertThat(dark).as("dark value of " + c).contains(c + ":"));
        assertThat(Files.readString(STATIC.resolve("berth.css"))).startsWith("@import url(\"/static/tokens.css\");");
    }
}
