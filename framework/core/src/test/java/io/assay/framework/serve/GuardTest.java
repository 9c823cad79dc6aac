package io.assay.framework.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuardTest {

    static final String TOKEN = "t0k3n";
    final Guard loopback = new Guard(TOKEN, "127.0.0.1");

    @ParameterizedTest
    @CsvSource({"127.0.0.1:7860", "localhost:7860", "LOCALHOST:7860", "[::1]:7860"})
    void loopbackNamesWithTheRightPortAreThisServer(String host) {
        assertThatNoException().isThrownBy(() -> loopback.check("GET", "/", host, null, null, null, 7860));
    }

    @ParameterizedTest
    @CsvSource({"evil.example:7860", "127.0.0.1", "127.0.0.1:7861", "localhost.evil.example:7860", ":7860",
        "[::1", "10.0.0.1:7860", "127.0.0.1:7860:7860"})
    void anyOtherHostIsRefusedNamingTheHeader(String host) {
        assertThatThrownBy(() -> loopback.check("GET", "/", host, null, null, null, 7860))
                .isInstanceOf(Guard.Refused.class)
                .hasMessageStartingWith("header 'Host' must name this server")
                .satisfies(e -> assertThat(((Guard.Refused) e).status).isEqualTo(403));
        assertThatThrownBy(() -> loopback.check("GET", "/", null, null, null, null, 7860))
                .hasMessageContaining("found ''");
    }

    @ParameterizedTest
    @CsvSource({"http://evil.example", "null", "https://127.0.0.1:7860", "http://127.0.0.1:7860.evil.example",
        "http://localhost:7860"})
    void anOriginThatIsNotOursIsRefused(String origin) {
        assertThatThrownBy(() -> loopback.check("POST", "/api/jobs", "127.0.0.1:7860", origin, TOKEN, null, 7860))
                .hasMessageStartingWith("header 'Origin' must be this server's own origin (http://127.0.0.1:7860)");
    }

    @Test
    void stateChangesNeedTheTokenReadsDoNot() {
        assertThatNoException().isThrownBy(() -> loopback.check("GET", "/api/jobs/x", "127.0.0.1:7860", null, null,
                null, 7860));
        assertThatNoException().isThrownBy(() -> loopback.check("POST", "/api/jobs", "127.0.0.1:7860",
                "http://127.0.0.1:7860", TOKEN, null, 7860));
        assertThatNoException().isThrownBy(() -> loopback.check("DELETE", "/api/jobs/x", "127.0.0.1:7860", null,
                null, "Bearer " + TOKEN, 7860));
        assertThatThrownBy(() -> loopback.check("POST", "/api/plugins", "127.0.0.1:7860", null, null, null, 7860))
                .hasMessageContaining("POST /api/plugins changes state")
                .satisfies(e -> assertThat(((Guard.Refused) e).status).isEqualTo(401));
        assertThatThrownBy(() -> loopback.check("DELETE", "/x", "127.0.0.1:7860", null, "nope", null, 7860))
                .hasMessageContaining("header 'X-Assay-Token' is not this server's");
        assertThatThrownBy(() -> loopback.check("PUT", "/x", "127.0.0.1:7860", null, null, "Basic " + TOKEN, 7860))
                .hasMessageContaining("changes state");
        assertThatThrownBy(() -> loopback.check("POST", "/x", "127.0.0.1:7860", null, null, "Bearer x" + TOKEN,
                7860)).hasMessageContaining("header 'Authorization' is not this server's");
    }

    @Test
    void noAuthSkipsOnlyTheTokenAndAWildcardBindSkipsOnlyTheName() {
        Guard open = new Guard(null, "127.0.0.1");
        assertThatNoException().isThrownBy(() -> open.check("POST", "/api/jobs", "127.0.0.1:1", null, null, null,
                1));
        assertThatThrownBy(() -> open.check("POST", "/api/jobs", "evil.example:1", null, null, null, 1))
                .hasMessageContaining("'Host'");
        Guard all = new Guard(TOKEN, "0.0.0.0");
        assertThatNoException().isThrownBy(() -> all.check("GET", "/", "gpu-box.lan:7860", null, null, null, 7860));
        assertThatThrownBy(() -> all.check("GET", "/", "gpu-box.lan:80", null, null, null, 7860))
                .hasMessageContaining("'Host'");
        assertThatThrownBy(() -> all.check("POST", "/", "gpu-box.lan:7860", "http://evil.example", TOKEN, null, 7860))
                .hasMessageContaining("'Origin'");
    }

    @Test
    void tokensAreLongAndFresh() {
        assertThat(Guard.newToken()).hasSize(64).matches("[0-9a-f]+").isNotEqualTo(Guard.newToken());
    }
}
