package core

import (
	"context"
	"time"
)

// TaskStore keeps the tasks campaign kind.
type TaskStore interface{}

// closeTasks ends a tasks campaign at its deadline or on an admin's order.
func (s *Service) closeTasks(ctx context.Context, c *Campaign, now time.Time) error {
	return s.closeSimply(ctx, c, now)
}

// tasksProgress returns the campaign's Tasks progress.
func (s *Service) tasksProgress(ctx context.Context, c *Campaign) (*TasksProgress, error) {
	return &TasksProgress{}, nil
}

// exportTasks returns the campaign's data for its admins.
func (s *Service) exportTasks(ctx context.Context, c *Campaign) (*Table, error) {
	return &Table{Name: c.Code}, nil
}
