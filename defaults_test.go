package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feed"
)

// Defaults are written in config; the packages keep zero-value fallbacks so they work
// as libraries. This pins the two together: a default changed in one place and not
// the other fails here, not in production.
func TestConfigDefaultsAgreeWithPackageDefaults(t *testing.T) {
	opts := appOptions(config.Default(), Env{Now: time.Now}, slog.New(slog.DiscardHandler))
	fetch, fetchZero := opts.Fetch, feed.FetcherOptions{}.WithDefaults()
	poll, pollZero := opts.Poll, feed.PollerOptions{}.WithDefaults()
	b, botZero := opts.Bot, bot.Options{}.WithDefaults()
	send, sendZero := opts.Bot.Send, queue.SenderOptions{}.WithDefaults()
	cases := []struct {
		name      string
		cfg, pkgs any
	}{
		{"fetch timeout", fetch.Timeout, fetchZero.Timeout},
		{"max body bytes", fetch.MaxBodyBytes, fetchZero.MaxBodyBytes},
		{"poll interval", poll.Interval, pollZero.Interval},
		{"max backoff", poll.MaxBackoff, pollZero.MaxBackoff},
		{"concurrency", poll.Concurrency, pollZero.Concurrency},
		{"per host", poll.PerHost, pollZero.PerHost},
		{"broken after", poll.BrokenAfter, pollZero.BrokenAfter},
		{"full text min words", poll.FullTextMinWords, pollZero.FullTextMinWords},
		{"items per poll", poll.MaxNewItemsPerPoll, pollZero.MaxNewItemsPerPoll},
		{"pages per poll", poll.MaxFullTextPerPoll, pollZero.MaxFullTextPerPoll},
		{"reader items per day", poll.MaxReaderItemsPerDay, pollZero.MaxReaderItemsPerDay},
		{"reader bytes per day", poll.MaxReaderBytesPerDay, pollZero.MaxReaderBytesPerDay},
		{"reader pages per day", poll.MaxReaderPagesPerDay, pollZero.MaxReaderPagesPerDay},
		{"chat items per day", poll.MaxUserItemsPerDay, pollZero.MaxUserItemsPerDay},
		{"chat bytes per day", poll.MaxUserBytesPerDay, pollZero.MaxUserBytesPerDay},
		{"chat pages per day", poll.MaxUserPagesPerDay, pollZero.MaxUserPagesPerDay},
		{"user poll time per day", poll.MaxUserPollTimePerDay, pollZero.MaxUserPollTimePerDay},
		{"reader page time per day", poll.MaxReaderPageTimePerDay, pollZero.MaxReaderPageTimePerDay},
		{"user page time per day", poll.MaxUserPageTimePerDay, pollZero.MaxUserPageTimePerDay},
		{"schedule every", b.ScheduleEvery, botZero.ScheduleEvery},
		{"reader rate", b.CommandRate, botZero.CommandRate},
		{"reader burst", float64(b.CommandBurst), float64(botZero.CommandBurst)},
		{"own feeds", b.MaxOwnFeeds, botZero.MaxOwnFeeds},
		{"reader feeds", b.MaxReaderFeeds, botZero.MaxReaderFeeds},
		{"filter budget", b.FilterBudget, botZero.FilterBudget},
		{"send rate", send.GlobalPerSecond, sendZero.GlobalPerSecond},
	}
	for _, c := range cases {
		if c.cfg != c.pkgs {
			t.Errorf("%s: config default %v, package default %v", c.name, c.cfg, c.pkgs)
		}
	}
}
