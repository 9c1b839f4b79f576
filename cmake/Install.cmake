# `cmake --install BUILD --prefix PREFIX` lays out a deployable fieldpulse:
#   PREFIX/bin/fieldpulse
#   PREFIX/share/fieldpulse/{catalog.toml,zhanjiang-roster.json}  the shipped data
#   PREFIX/share/fieldpulse/{prometheus,grafana}/                 alerts, dashboard
#   PREFIX/etc/fieldpulse/fieldpulse.toml                          sample configuration
#   PREFIX/lib/systemd/system/fieldpulse.service                   the unit
#   PREFIX/share/doc/fieldpulse/                                   README and docs
# The configuration and the unit name paths under PREFIX: they are written at
# install time, so --prefix (and DESTDIR) given then are the ones used.
install(TARGETS fieldpulse RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/data/catalog.toml ${PROJECT_SOURCE_DIR}/data/zhanjiang-roster.json
  DESTINATION share/fieldpulse)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/prometheus/alerts.yml
  DESTINATION share/fieldpulse/prometheus)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/grafana/dashboards
  ${PROJECT_SOURCE_DIR}/deploy/grafana/provisioning DESTINATION share/fieldpulse/grafana)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
  ${PROJECT_SOURCE_DIR}/docs/http-api.md ${PROJECT_SOURCE_DIR}/docs/metrics.md
  ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION share/doc/fieldpulse)

# The configuration and the unit are written straight into the destination with
# the install-time prefix. An existing configuration is an operator's: it is
# kept, and the new sample goes next to it as fieldpulse.toml.new.
install(CODE "
  set(FP_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(root \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  set(config \"\${root}/etc/fieldpulse/fieldpulse.toml\")
  if(EXISTS \"\${config}\")
    message(STATUS \"Keeping: \${config} (the new sample is fieldpulse.toml.new)\")
    set(config \"\${config}.new\")
  endif()
  message(STATUS \"Installing: \${config}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/deploy/config/fieldpulse.toml.in\" \"\${config}\" @ONLY)
  set(unit \"\${root}/lib/systemd/system/fieldpulse.service\")
  message(STATUS \"Installing: \${unit}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/deploy/systemd/fieldpulse.service.in\" \"\${unit}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${config}\" \"\${unit}\")
")
