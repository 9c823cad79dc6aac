package io.assay.plugins.curationio;

import io.assay.sdk.testkit.contract.PackagingContract;

/** The packaging contract on the built zip: nothing host-shared in classes/ or in the bundled lib/*.jar. */
class PackagingIT implements PackagingContract {
}
