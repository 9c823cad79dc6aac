package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens the commodity sweep's {@code index.html} and one cell's {@code trace.html} in headless Chromium (Debian's
 * {@code chromium} and {@code chromedriver}; {@code .ci/run} installs them) and checks what a person would see: every
 * grid and table image decoded, one table row per cell, sorting by a column, the trace's per-step previews.
 * Screenshots go to {@code target/screenshots/}. Without Chromium the test is skipped, except under {@code CI=true}.
 */
class CompareReportBrowserIT {

    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");

    /** The suite's model cache: the worlds are built once for all classes. */
    static final Path cache = Dist.worldCache();

    @BeforeAll
    static void browserPresent() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but Debian's chromium and chromium-driver are not installed (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "); .ci/run installs them with apt-get");
        }
        Assumptions.assumeTrue(present, "chromium/chromedriver not installed");
    }

    static ChromeDriver browser() {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        // As root in a sandbox, and on a closed network: no sandbox, no GPU, no background connections.
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--allow-file-access-from-files", "--window-size=1400,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return d;
    }

    @Test
    void theServePageGeneratesAndShowsTheResult(@TempDir Path out) throws Exception {
        try (io.assay.framework.serve.Server server = io.assay.framework.cli.ServeCommand.start(
                List.of("--port", "0", "--plugins-dir", Dist.home().resolve("plugins").toString(), "--no-watch",
                        "--out", out.toString(),
                        "--set", "model.cache-dir=\"" + cache + "\""), new java.io.PrintWriter(
                        new java.io.StringWriter(), true))) {
            Path shots = Paths.get("target", "screenshots");
            Files.createDirectories(shots);
            ChromeDriver d = browser();
            try {
                d.get("http://127.0.0.1:" + server.port() + "/");
                JavascriptExecutor js = d;
                WebElement prompt = d.findElement(By.id("prompt"));
                prompt.clear();
                prompt.sendKeys("a yellow square on a black background");
                d.findElement(By.id("seed")).clear();
                d.findElement(By.id("seed")).sendKeys("5");
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (d.findElements(By.cssSelector("#scheduler option")).isEmpty()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(d.findElements(By.cssSelector("#scheduler option")).size()).as("samplers listed")
                        .isGreaterThanOrEqualTo(9);
                d.findElement(By.id("go")).click();
                Boolean loaded = false;
                while (!loaded && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    loaded = (Boolean) js.executeScript("const r = document.getElementById('result'); "
                            + "return r.complete && r.naturalWidth === 64");
                }
                assertThat(loaded).as("the result image arrived and decoded").isTrue();
                assertThat(d.findElement(By.id("info")).getText()).contains("a yellow square on a black background",
                        "Seed: 5", "Steps: 20");
                assertThat(d.findElement(By.id("status")).getText()).startsWith("done").contains("step 20 / 20");
                assertThat(d.findElement(By.id("plugins")).getText()).contains("onnx-sd 0.1.0 STARTED");
                Files.write(shots.resolve("serve-page.png"), d.getScreenshotAs(OutputType.BYTES));
            } finally {
                d.quit();
            }
        }
    }

    @Test
    void theReportShowsEveryCellAndEachTraceShowsTheImageEmerging(@TempDir Path out) throws Exception {
        Path exp = Dist.configs().resolve("experiments/commodity-cfg-sweep.conf");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--trace", "--set",
                "model.cache-dir=\"" + cache + "\"").requireOk();
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        int cells = results.get("cells").asInt();
        assertThat(cells).isEqualTo(4);
        Path shots = Paths.get("target", "screenshots");
        Files.createDirectories(shots);

        ChromeDriver d = browser();
        try {
            d.get(out.resolve("index.html").toUri().toString());
            JavascriptExecutor js = d;
            List<WebElement> rows = d.findElements(By.cssSelector("#results tbody tr"));
            assertThat(rows).as("one table row per cell").hasSize(cells);
            Long images = (Long) js.executeScript("return document.images.length");
            Long decoded = (Long) js.executeScript(
                    "return [...document.images].filter(i => i.complete && i.naturalWidth > 0).length");
            assertThat(images).as("a contact sheet and one thumbnail per cell").isEqualTo(1L + cells);
            assertThat(decoded).as("every image on the page loaded and decoded").isEqualTo(images);
            Long sheetWidth = (Long) js.executeScript("return document.querySelector('img.sheet').naturalWidth");
            assertThat(sheetWidth).as("the sheet holds 4 columns of 192 px").isGreaterThan(4 * 192L);
            // One cell per axis value: no spread to show, so no statistics table (and no "± 0.000" anywhere).
            assertThat(d.findElements(By.id("axis-stats"))).isEmpty();
            assertThat(d.findElement(By.tagName("body")).getText()).doesNotContain("± 0");
            assertReadable(d, "compare-index");
            // Cell images are named by their axis values.
            List<String> srcs = d.findElements(By.cssSelector("#results img.cell")).stream()
                    .map(i -> i.getAttribute("src").replaceAll(".*/", "")).toList();
            assertThat(srcs).containsExactly("guidance-scale-0.png", "guidance-scale-3.png", "guidance-scale-12.png",
                    "guidance-scale-25.png");
            assertThat(d.findElements(By.cssSelector("#results img.cell")).get(1).getAttribute("alt"))
                    .isEqualTo("guidance.scale = 3");
            // The drift charts have labelled axes with units.
            List<WebElement> charts = d.findElements(By.cssSelector(".drift svg.chart"));
            assertThat(charts).as("a drift chart per arm that differs from the baseline").hasSize(3);
            assertThat(charts.get(0).getText()).contains("step", "L2 distance to baseline (latent units)");

            // Sort by the guidance column, twice: descending puts CFG 25 first.
            int col = d.findElements(By.cssSelector("#results th")).stream().map(WebElement::getText).toList()
                    .indexOf("guidance.scale");
            assertThat(col).isPositive();
            WebElement th = d.findElements(By.cssSelector("#results th")).get(col);
            th.click();
            th.click();
            String first = d.findElements(By.cssSelector("#results tbody tr")).get(0)
                    .findElements(By.tagName("td")).get(col).getText();
            assertThat(first).isEqualTo("25");
            Files.write(shots.resolve("compare-index.png"), d.getScreenshotAs(OutputType.BYTES));

            // Follow the second cell's trace link: the page is titled with the cell's axis value and links back.
            d.get(out.resolve("index.html").toUri().toString());
            String href = d.findElements(By.cssSelector("#results a.trace")).get(1).getAttribute("href");
            d.get(href);
            assertThat(d.getTitle()).isEqualTo("commodity-cfg-sweep: guidance.scale = 3");
            assertThat(d.findElement(By.id("cell")).getText()).contains("guidance.scale = 3");
            assertThat(d.findElement(By.cssSelector("#cell a")).getAttribute("href")).endsWith("/index.html");
            Long previews = (Long) js.executeScript("return document.querySelectorAll('#strip img').length");
            assertThat(previews).as("one preview per step").isEqualTo(20L);
            Long previewsDecoded = (Long) js.executeScript("return [...document.querySelectorAll('#strip img')]"
                    + ".filter(i => i.complete && i.naturalWidth === 8).length");
            assertThat(previewsDecoded).as("previews at the 8×8 latent resolution").isEqualTo(20L);
            Boolean finalLoaded = (Boolean) js.executeScript(
                    "const f = document.getElementById('final'); return f.complete && f.naturalWidth === 64");
            assertThat(finalLoaded).isTrue();
            assertThat(d.findElements(By.cssSelector("#steps tbody tr"))).hasSize(20);
            assertThat(d.findElement(By.id("events")).getText()).contains("token-report", "commodity");
            Files.write(shots.resolve("trace.png"), d.getScreenshotAs(OutputType.BYTES));
            d.findElement(By.cssSelector("#cell a")).click();
            assertThat(d.getTitle()).isEqualTo("commodity-cfg-sweep");
        } finally {
            d.quit();
        }
    }

    /**
     * The layout and accessibility rules every report page keeps at 1400×900: nothing wider than the window (the
     * page does not scroll sideways and every table cell, trace link and image lies within it), every image has alt
     * text, every table has a header row, and every results column is explained in the glossary. Saves a screenshot.
     */
    static void assertReadable(ChromeDriver d, String shot) throws Exception {
        JavascriptExecutor js = d;
        assertThat((Long) js.executeScript("return window.innerWidth")).isBetween(1300L, 1400L);
        Long overflow = (Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(overflow).as("page wider than the window by (px)").isLessThanOrEqualTo(0L);
        @SuppressWarnings("unchecked")
        List<String> outside = (List<String>) js.executeScript("return [...document.querySelectorAll("
                + "'td, th, a, img, svg')].filter(e => { const r = e.getBoundingClientRect(); "
                + "return r.width > 0 && (r.left < 0 || r.right > window.innerWidth); })"
                + ".map(e => e.tagName + ' ' + (e.textContent || e.getAttribute('src') || '').slice(0, 40))");
        assertThat(outside).as("elements cut off at the right edge").isEmpty();
        @SuppressWarnings("unchecked")
        List<String> noAlt = (List<String>) js.executeScript("return [...document.images].filter(i => "
                + "!(i.getAttribute('alt') || '').trim()).map(i => i.getAttribute('src'))");
        assertThat(noAlt).as("images without alt text").isEmpty();
        Long headerless = (Long) js.executeScript("return [...document.querySelectorAll('table')].filter(t => "
                + "!t.querySelector('thead th')).length");
        assertThat(headerless).as("tables without a header row").isZero();
        @SuppressWarnings("unchecked")
        List<String> headers = (List<String>) js.executeScript("return [...document.querySelectorAll("
                + "'#results thead th')].map(th => th.textContent)");
        @SuppressWarnings("unchecked")
        List<String> glossary = (List<String>) js.executeScript("return [...document.querySelectorAll("
                + "'#glossary dt')].map(dt => dt.textContent)");
        assertThat(glossary).as("every column explained").containsAll(headers);
        assertThat(headers).as("human column names").noneMatch(h -> h.matches(".*[a-z][A-Z].*"));
        Long untitled = (Long) js.executeScript("return [...document.querySelectorAll('#results thead th')]"
                + ".filter(th => !th.title).length");
        assertThat(untitled).as("columns without a tooltip").isZero();
        Files.write(Paths.get("target", "screenshots").resolve(shot + ".png"), d.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void aReportWithoutAxesShowsNoEmptySections(@TempDir Path out) throws Exception {
        Path exp = Dist.configs().resolve("experiments/gaussian-noise.conf");
        Dist.cli("compare", exp.toString(), "--out", out.toString(), "--set", "run.steps=4", "--set",
                "model.cache-dir=\"" + cache + "\"").requireOk();
        Files.createDirectories(Paths.get("target", "screenshots"));
        ChromeDriver d = browser();
        try {
            d.get(out.resolve("index.html").toUri().toString());
            assertThat(d.findElements(By.cssSelector("#results tbody tr"))).hasSize(4);
            String text = d.findElement(By.tagName("body")).getText();
            // One arm per prompt and seed: nothing drifts apart and there is no baseline to compare with.
            assertThat(text).doesNotContain("Where the arms drift apart", "vs baseline", "± 0");
            assertThat(d.findElements(By.id("axis-stats"))).isEmpty();
            List<String> headers = d.findElements(By.cssSelector("#results thead th")).stream()
                    .map(WebElement::getText).toList();
            assertThat(headers).startsWith("image", "seed");
            assertThat(d.findElements(By.cssSelector("#results img.cell")).get(2).getAttribute("src"))
                    .endsWith("images/gaussian-noise_seed-2.png");
            assertReadable(d, "compare-no-axes");
        } finally {
            d.quit();
        }
    }
}
