// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// jobsDesc exposes the backlog of each lane, so an operator sees a lane
// that stalls (e.g. publications piling up) before people notice.
var jobsDesc = prometheus.NewDesc("piazza_jobs", "Jobs in the queue by lane and state.", []string{"lane", "state"}, nil)

// Collector returns a Prometheus collector that counts jobs by lane and
// state at scrape time. Finished jobs that River keeps for a while
// (completed, discarded, cancelled) are counted too.
func (r *Runner) Collector() prometheus.Collector { return collector{r: r} }

type collector struct{ r *Runner }

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.r.db.Read.QueryContext(ctx, `SELECT queue, state, count(*) FROM river_job GROUP BY queue, state`)
	if err != nil {
		c.r.log.Warn("jobs metrics", "err", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var lane, state string
		var n float64
		if err := rows.Scan(&lane, &state, &n); err != nil {
			c.r.log.Warn("jobs metrics", "err", err)
			return
		}
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, n, lane, state)
	}
	if err := rows.Err(); err != nil {
		c.r.log.Warn("jobs metrics", "err", err)
	}
}
