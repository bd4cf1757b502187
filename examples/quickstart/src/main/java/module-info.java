/** The quick start as a module: on the module path it reads ane4j as the named module io.github.ane4j. */
module io.github.ane4j.examples.quickstart {
    requires io.github.ane4j;
}
