# frozen_string_literal: true

# rejoinder for Jekyll: the `rejoinder_fragment` Liquid filter fetches an article's thread from
# GET /thread/fragment when the site is built (docs/static-sites.md). _includes/rejoinder/comments.html uses
# it; readers without JavaScript and crawlers then see the comments inside the widget's container, and the
# widget replaces them with the live discussion.
#
# _config.yml:
#   rejoinder:
#     server: https://comments.example.org   # no trailing slash
#     fragment: true                         # false: no build-time thread, only the widget
#     timeout: 10                            # seconds per fetch
#
# A failed fetch logs a warning and leaves the container empty: the build goes on, the widget still works.
# Plugins do not run in GitHub Pages' safe mode; there, fetch the fragments with curl before the build.

require "net/http"
require "uri"

module Rejoinder
  module Filters
    def rejoinder_fragment(article_url, title = nil)
      site = @context.registers[:site]
      conf = site.config["rejoinder"] || {}
      server = conf["server"].to_s.chomp("/")
      return "" if server.empty? || conf["fragment"] == false

      query = { "url" => article_url.to_s }
      query["title"] = title.to_s unless title.nil? || title.to_s.empty?
      uri = URI("#{server}/thread/fragment?#{URI.encode_www_form(query)}")
      Rejoinder.fetch(uri, conf.fetch("timeout", 10).to_f)
    end
  end

  def self.fetch(uri, timeout)
    @cache ||= {}
    @cache[uri.to_s] ||= begin
      response = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https",
                                 open_timeout: timeout, read_timeout: timeout) do |http|
        http.get(uri.request_uri, "Accept" => "text/html")
      end
      if response.is_a?(Net::HTTPSuccess)
        response.body.to_s.force_encoding(Encoding::UTF_8)
      else
        Jekyll.logger.warn "rejoinder:", "no thread fragment for #{uri}: HTTP #{response.code}"
        ""
      end
    rescue StandardError => e
      Jekyll.logger.warn "rejoinder:", "no thread fragment for #{uri}: #{e.message}"
      ""
    end
  end

  # Each build fetches afresh (jekyll serve rebuilds in one process).
  Jekyll::Hooks.register :site, :after_reset do |_site|
    @cache = {}
  end
end

Liquid::Template.register_filter(Rejoinder::Filters)
