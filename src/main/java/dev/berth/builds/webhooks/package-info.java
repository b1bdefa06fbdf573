/** Pushes from Git hosts: signed webhook deliveries that start a build of the pushed commit. */
package dev.berth.builds.webhooks;
