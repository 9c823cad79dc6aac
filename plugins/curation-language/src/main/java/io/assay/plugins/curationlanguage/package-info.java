/**
 * The {@code language} scraper filter: detects the language of a record's caption with
 * <a href="https://github.com/pemistahl/lingua">Lingua</a> and keeps records whose caption is in the configured
 * languages. A plugin of its own because Lingua's jar carries every language model (~80 MB): pipelines that do not
 * filter by language do not carry it.
 */
package io.assay.plugins.curationlanguage;
