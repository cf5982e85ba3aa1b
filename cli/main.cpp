// The iptc program: a thin layer over the libraries, one file per verb.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"iptc: a compiler and analyser for Linux iptables rule sets"};
  app.set_version_flag("-V,--version", std::string("iptc ") + IPTC_VERSION);
  app.require_subcommand(1);
  std::vector<iptc::cli::Runner> verbs = {
      iptc::cli::add_check(app),
      iptc::cli::add_fmt(app),
      iptc::cli::add_trace(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  for (auto& run : verbs) {
    int rc = run();
    if (rc >= 0) return rc;
  }
  return 2;
}
