package io.github.workerexporter.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link of {@code README.md} and {@code docs/**}{@code /*.md} leads to a
 * file that exists in the repository and, when it names an {@code #anchor}, to a heading
 * of that page, with the anchors GitHub computes (lower case, punctuation removed but
 * {@code -} and {@code _}, spaces to {@code -}, {@code -1}, {@code -2} for repeated
 * headings). Links in code blocks and code spans are not links; links with a scheme
 * ({@code https:}) are not checked.
 *
 * @author Worker Exporter
 */
class DocumentationLinksTests {

    private static final Path ROOT = Path.of("..");

    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");

    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)(\\s+#+)?\\s*$");

    private static final Pattern INLINE_LINK = Pattern
        .compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^)\\s]*)(?:\\s+\"[^\"]*\")?\\s*\\)");

    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*(\\S+)");

    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsLeadsToAFileAndAHeadingThatExist() throws IOException {
        List<Path> pages = pages(ROOT);
        assertThat(pages).as("README.md and the pages of docs/").hasSizeGreaterThan(5);
        assertThat(problems(ROOT, pages)).isEmpty();
    }

    @Test
    void theIndexOfTheDocsLinksEveryPage() throws IOException {
        Path index = ROOT.resolve("docs").resolve("README.md");
        Set<Path> linked = new LinkedHashSet<>();
        for (Link link : links(index)) {
            if (!link.path().isEmpty()) {
                linked.add(index.getParent().resolve(link.path()).normalize());
            }
        }
        List<Path> unlinked = pages(ROOT).stream()
            .filter((page) -> page.startsWith(ROOT.resolve("docs")) && !page.equals(index))
            .filter((page) -> !linked.contains(page.normalize()))
            .toList();
        assertThat(unlinked).as("pages of docs/ missing from docs/README.md").isEmpty();
    }

    @Test
    void reportsADeadFileADeadAnchorAndALinkOutOfTheRepository(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("README.md"), """
                # Project

                [good](docs/page.md#the-master-view-kill--9) [good too](#project) [web](https://example.org/x)
                [dead file](docs/missing.md) and [dead anchor](docs/page.md#no-such-heading)
                [outside](../elsewhere.md) `[in a code span](nowhere.md)`

                ```
                [in a code block](nowhere.md)
                ```
                """);
        Files.writeString(root.resolve("docs").resolve("page.md"), """
                # Page

                ## The master view (`kill -9`)

                [back](../README.md#project) [self](#page) [dead self](#the-master-view)
                """);
        assertThat(problems(root, pages(root))).containsExactlyInAnyOrder("README.md:4: docs/missing.md: no such file",
                "README.md:4: docs/page.md#no-such-heading: no heading 'no-such-heading' in docs/page.md",
                "README.md:5: ../elsewhere.md: leads out of the repository",
                "docs/page.md:5: #the-master-view: no heading 'the-master-view' in docs/page.md");
    }

    @Test
    void anchorsAreTheOnesGitHubComputes(@TempDir Path root) throws IOException {
        Path page = root.resolve("page.md");
        Files.writeString(page, """
                # Storage: many workers, one view
                ## The `exporter` Actuator endpoint
                ## Runs 3–5 (current, 120 rounds)
                ## snake_case and [a link](other.md)
                ## Notes
                ## Notes
                <a name="custom"></a>
                """);
        assertThat(anchors(page)).containsExactlyInAnyOrder("storage-many-workers-one-view",
                "the-exporter-actuator-endpoint", "runs-35-current-120-rounds", "snake_case-and-a-link", "notes",
                "notes-1", "custom");
    }

    private static List<String> problems(Path root, List<Path> pages) throws IOException {
        Path top = root.toAbsolutePath().normalize();
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path page : pages) {
            String name = top.relativize(page.toAbsolutePath().normalize()).toString().replace('\\', '/');
            for (Link link : links(page)) {
                Path target = link.path().isEmpty() ? page : page.getParent().resolve(link.path());
                Path absolute = target.toAbsolutePath().normalize();
                String where = name + ":" + link.line() + ": " + link.target() + ": ";
                if (!absolute.startsWith(top)) {
                    problems.add(where + "leads out of the repository");
                }
                else if (!Files.exists(absolute)) {
                    problems.add(where + "no such file");
                }
                else if (link.anchor() != null) {
                    String targetName = top.relativize(absolute).toString().replace('\\', '/');
                    if (!targetName.endsWith(".md")) {
                        problems.add(where + "an anchor into a file that is not Markdown");
                    }
                    else if (!anchors.computeIfAbsent(absolute, DocumentationLinksTests::anchors)
                        .contains(link.anchor())) {
                        problems.add(where + "no heading '" + link.anchor() + "' in " + targetName);
                    }
                }
            }
        }
        return problems;
    }

    private static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<Link> links(Path page) throws IOException {
        List<Link> links = new ArrayList<>();
        List<String> lines = Files.readAllLines(page);
        boolean code = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FENCE.matcher(line).find()) {
                code = !code;
                continue;
            }
            if (code) {
                continue;
            }
            String text = line.replaceAll("`[^`]*`", "");
            Matcher inline = INLINE_LINK.matcher(text);
            while (inline.find()) {
                add(links, inline.group(1), i + 1);
            }
            Matcher reference = REFERENCE_DEFINITION.matcher(text);
            if (reference.find()) {
                add(links, reference.group(1), i + 1);
            }
        }
        return links;
    }

    private static void add(List<Link> links, String target, int line) {
        String bare = (target.startsWith("<") && target.endsWith(">")) ? target.substring(1, target.length() - 1)
                : target;
        if (bare.isEmpty() || SCHEME.matcher(bare).find()) {
            return;
        }
        int hash = bare.indexOf('#');
        String path = (hash < 0) ? bare : bare.substring(0, hash);
        String anchor = (hash < 0) ? null : bare.substring(hash + 1);
        links.add(new Link(bare, path, anchor, line));
    }

    private static Set<String> anchors(Path page) {
        try {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean code = false;
            for (String line : Files.readAllLines(page)) {
                if (FENCE.matcher(line).find()) {
                    code = !code;
                    continue;
                }
                if (code) {
                    continue;
                }
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(2));
                    int count = seen.merge(slug, 1, Integer::sum);
                    anchors.add((count == 1) ? slug : slug + "-" + (count - 1));
                }
                Matcher html = HTML_ANCHOR.matcher(line);
                while (html.find()) {
                    anchors.add(html.group(1));
                }
            }
            return anchors;
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot read " + page, ex);
        }
    }

    /**
     * GitHub's anchor of a heading: the text as rendered (a link's text, no code or
     * emphasis marks), lower case, every character but letters, digits, spaces, {@code -}
     * and {@code _} removed, spaces turned into {@code -}.
     * @param heading the heading's Markdown
     * @return its anchor
     */
    private static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "").replace(' ', '-');
    }

    private record Link(String target, String path, String anchor, int line) {

    }

}
