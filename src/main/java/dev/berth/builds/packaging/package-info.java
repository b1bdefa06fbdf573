/**
 * Images without a Dockerfile: Jib packages an executable JAR (built with the repository's Maven or Gradle if need
 * be) or a static site.
 */
package dev.berth.builds.packaging;
