package io.assay.framework.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class HaltCallsTest {

    static final class Quits {
        void quit() {
            System.exit(1);
        }
    }

    static final class Halts {
        void halt() {
            Runtime.getRuntime().halt(2);
        }

        void exit() {
            Runtime.getRuntime().exit(3);
        }
    }

    static final class QuitsByReference {
        IntConsumer quitter() {
            return System::exit;
        }
    }

    static final class Clean {
        long now() {
            return System.currentTimeMillis() + Runtime.getRuntime().availableProcessors() + (long) Math.PI;
        }
    }

    static HaltCalls.Found scan(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getName().substring(c.getName().lastIndexOf('.') + 1)
                + ".class")) {
            return HaltCalls.scan(in);
        }
    }

    @Test
    void callsThatEndTheJvmAreFoundAndTheClassNamed() throws IOException {
        assertThat(scan(Quits.class)).isEqualTo(new HaltCalls.Found(Quits.class.getName(),
                java.util.List.of("System.exit")));
        assertThat(scan(Halts.class).calls()).containsExactlyInAnyOrder("Runtime.halt", "Runtime.exit");
        assertThat(scan(QuitsByReference.class).calls()).containsExactly("System.exit");
        assertThat(scan(Clean.class).calls()).isEmpty();
        assertThat(scan(HaltCalls.class).calls()).as("the scanner itself (longs, strings, switches)").isEmpty();
    }

    @Test
    void bytesThatAreNotAClassAreRefused() {
        assertThatThrownBy(() -> HaltCalls.scan(new ByteArrayInputStream("PK\u0003\u0004".getBytes())))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> HaltCalls.scan(new ByteArrayInputStream(new byte[] {(byte) 0xca, (byte) 0xfe,
            (byte) 0xba, (byte) 0xbe, 0, 0}))).isInstanceOf(IOException.class);
    }
}
