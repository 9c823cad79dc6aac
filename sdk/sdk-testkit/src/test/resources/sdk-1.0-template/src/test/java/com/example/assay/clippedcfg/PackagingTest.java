package com.example.assay.clippedcfg;

import io.assay.sdk.testkit.contract.PackagingContract;

/** plugin.properties valid, every component indexed, names kebab-case and unique, no host classes bundled. */
class PackagingTest implements PackagingContract {
}
