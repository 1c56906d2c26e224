package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.GetJobRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver, against a real manager and a sim agent (separate processes). What a user sees:
 * a job registered while the home page is open appears there, with running / desired; its page
 * lists its allocations with their node; Scale adds a replica; the Stop button stops the job, and
 * the page shows it stopped without reloading. Without chromium or chromedriver the test fails saying how to install them
 * (scripts/test.sh does, as root).
 */
class WebUiIT {
  static final Path CHROMIUM = Path.of(System.getProperty("gantry.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("gantry.chromedriver", "/usr/bin/chromedriver"));
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void homeListsARunningJobItsPageShowsItsAllocationsScaleAndStopShowLiveWithoutAReload() throws Exception {
    for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(p)) {
        throw new AssertionError(p + " is missing: the web UI test needs Debian's chromium and chromium-driver"
            + " packages (scripts/test.sh installs them as root: apt-get install -y chromium chromium-driver)");
      }
    }
    Path logs = Path.of(System.getProperty("gantry.it.logs", dir.toString())).resolve("WebUiIT-" + System.currentTimeMillis());
    Files.createDirectories(logs);
    try (OneManager m = OneManager.start(dir, "WebUiIT", "sim", "a1")) {
      String base = "http://127.0.0.1:" + m.cluster.peers().getFirst().httpPort();
      WebDriver browser = browser(logs);
      try {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        browser.get(base + "/");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        // The node is there from the first read: its name, status and capacity.
        WebElement node = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#nodes tbody tr")));
        assertEquals("a1", node.findElements(By.tagName("td")).get(0).getText());
        String loadedAt = loadMark(browser);

        // Registered while the page is open: the event stream brings it, with its replicas running.
        m.stub().registerJob(RegisterJobRequest.newBuilder().setSpec(job("web", 2)).build());
        By webRow = By.cssSelector("#jobs tbody tr[data-key='web']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#jobs tbody tr[data-key='web'] td.running"), "2 / 2"));
        assertEquals("running", browser.findElement(webRow).findElement(By.cssSelector("td.status")).getText());
        assertEquals(loadedAt, loadMark(browser), "the home page reloaded instead of following the event stream");
        // The node shows what the two replicas reserve: 2 x 100 millicores, 2 x 32 MiB.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#nodes tbody tr"), "0.20 / "));
        assertTrue(browser.findElement(By.cssSelector("#nodes tbody tr")).getText().contains("64 / "),
            browser.findElement(By.cssSelector("#nodes tbody tr")).getText());
        // And what they use, as the agent measured it and the leader heard it (/v1/metrics/live).
        wait.until(ExpectedConditions.textMatches(By.cssSelector("#nodes tbody tr td.used-mem"),
            java.util.regex.Pattern.compile("^\\d+ MiB$")));
        wait.until(ExpectedConditions.textMatches(By.cssSelector("#nodes tbody tr td.used-cpu"),
            java.util.regex.Pattern.compile("^\\d+\\.\\d %$")));

        // The job's page, by its link: two running allocations on a1.
        browser.findElement(webRow).findElement(By.linkText("web")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/ui/jobs/web"));
        wait.until(ExpectedConditions.textToBe(By.id("job-status"), "running"));
        wait.until(d -> rows(d, "#allocs").size() == 2 && rows(d, "#allocs").stream().allMatch(r -> r.get(2).equals("a1") && r.get(4).equals("running")));
        assertEquals("2 / 2", browser.findElement(By.id("job-running")).getText());
        assertEquals("g", rows(browser, "#groups").getFirst().get(0));

        // Scale the group to 3 from its row: the API call, then the third replica shows up live.
        WebElement count = browser.findElement(By.cssSelector("#groups tbody tr[data-key='g'] input"));
        count.clear();
        count.sendKeys("3");
        browser.findElement(By.cssSelector("#groups tbody tr[data-key='g'] button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("job-running"), "3 / 3"));
        wait.until(d -> rows(d, "#allocs").stream().filter(r -> r.get(4).equals("running")).count() == 3);
        assertEquals(3, m.stub().getJob(GetJobRequest.newBuilder().setName("web").build()).getJob().getSpec().getGroups(0).getCount());

        // Stop, confirmed in the dialog: the page shows the job stopped and its allocations told to stop.
        String jobPageLoadedAt = loadMark(browser);
        browser.findElement(By.id("stop")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBe(By.id("job-status"), "stopped"));
        wait.until(d -> rows(d, "#allocs").stream().allMatch(r -> r.get(5).equals("stop") && !r.get(4).equals("running")));
        wait.until(ExpectedConditions.textToBe(By.id("job-running"), "0 / 0"));
        assertEquals(3, rows(browser, "#allocs").size());
        assertEquals(jobPageLoadedAt, loadMark(browser), "the job page reloaded to show the stop");
        assertTrue(browser.findElement(By.id("events")).getText().contains("JobStopped"), browser.findElement(By.id("events")).getText());
        // And the cluster agrees: the button made the API call.
        assertEquals(JobStatus.JOB_STATUS_STOPPED, m.stub().getJob(GetJobRequest.newBuilder().setName("web").build()).getJob().getStatus());
      } finally {
        browser.quit();
      }
    }
  }

  private static WebDriver browser(Path logs) {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(new File(logs.resolve("chromedriver.log").toString()))
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // As root Chromium needs --no-sandbox; /dev/shm is small in containers.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
    return new ChromeDriver(service, options);
  }

  /** The mark the page's script sets once per load: the same value means no reload happened. */
  private static String loadMark(WebDriver browser) {
    Object mark = ((JavascriptExecutor) browser).executeScript("return window.gantryLoadedAt;");
    assertTrue(mark instanceof String s && !s.isEmpty(), "the page's script did not run: " + mark);
    return (String) mark;
  }

  /** The text of each cell of each body row of a table. */
  private static List<List<String>> rows(WebDriver browser, String table) {
    return browser.findElements(By.cssSelector(table + " tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()).toList();
  }

  private static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }
}
