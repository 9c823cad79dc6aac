package io.assay.sdk;

/** The settings type of a component that declares no settings: any key in its block is refused. */
public record NoSettings() {
}
