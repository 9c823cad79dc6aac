package com.example.assay.clippedcfg;

import io.assay.sdk.testkit.contract.PackagingContract;

/** The packaging contract again after {@code package}, now with the zip: nothing host-shared in classes/ or lib/. */
class PackagingIT implements PackagingContract {
}
